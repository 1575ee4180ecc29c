import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { P2pCodecError } from '../errors.ts';
import { bytesEqual, bytesToHex } from '../hex.ts';
import { sha256, sha256d } from '../sha256.ts';
import { fuzzBytes, mutations } from '../../test/fuzz.ts';
import {
  decodeTemplate,
  decodeTemplateRequest,
  decodeTemplateResponse,
  encodeTemplateRequest,
  encodeTemplateResponse,
  MAX_TEMPLATE_BYTES,
  MAX_TEMPLATE_FUTURE_MS,
  signTemplate,
  templateAgeProblem,
  templateIdOf,
  templateProtocol,
  type CoinTemplate,
} from './template-codec.ts';

const pool = sha256(new TextEncoder().encode('pool A'));
const secret = sha256(new TextEncoder().encode('edge key'));
const publicKey = ed25519.getPublicKey(secret);
/** An Ed25519 libp2p peer id: identity multihash of the protobuf public key. */
const signer = Uint8Array.from([0x00, 0x24, 0x08, 0x01, 0x12, 0x20, ...publicKey]);
const sign = (m: Uint8Array) => ed25519.sign(m, secret);
const verify = (m: Uint8Array, sig: Uint8Array) => ed25519.verify(sig, m, publicKey);

function template(over: Partial<CoinTemplate> = {}): CoinTemplate {
  return {
    poolId: pool,
    signer,
    issuedAt: 1_700_000_000_000,
    validForMs: 120_000,
    height: 812,
    headerVersion: 0x20000000,
    prevHash: sha256d(Uint8Array.of(1)),
    curtime: 1_700_000_000,
    bits: 0x207fffff,
    reward: 5_000_000_000n,
    mandatedOutputs: [Uint8Array.from([0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed, ...new Array<number>(32).fill(3)])],
    merkleBranch: [sha256d(Uint8Array.of(2)), sha256d(Uint8Array.of(3))],
    ...over,
  };
}

describe('template codec', () => {
  it('round-trips a signed template, and the signature verifies over what it covers', async () => {
    const t = template();
    const signed = await signTemplate(t, sign);
    const back = decodeTemplate(signed.encoded);
    expect(back.template).toEqual(t);
    expect(verify(back.signedBytes, back.signature)).toBe(true);
    expect(signed.encoded.length).toBeLessThanOrEqual(MAX_TEMPLATE_BYTES);
  });

  it('a signature does not survive any change to the signed fields (reward, time, pool)', async () => {
    const signed = await signTemplate(template(), sign);
    const forged = [
      { ...template(), reward: 6_000_000_000n },
      { ...template(), issuedAt: template().issuedAt + 600_000 },
      { ...template(), poolId: sha256(new TextEncoder().encode('pool B')) },
    ];
    for (const f of forged) {
      // The attacker keeps the edge's signature and re-encodes other fields under it.
      const reencoded = await signTemplate(f, () => signed.signature);
      const back = decodeTemplate(reencoded.encoded);
      expect(verify(back.signedBytes, back.signature)).toBe(false);
    }
  });

  it('fits the largest template (every list at its limit) in the frame limit', async () => {
    const big = template({ mandatedOutputs: [new Uint8Array(80).fill(1), new Uint8Array(80).fill(2)], merkleBranch: Array.from({ length: 16 }, (_, i) => sha256d(Uint8Array.of(i))) });
    const signed = await signTemplate(big, () => new Uint8Array(128));
    expect(signed.encoded.length).toBe(MAX_TEMPLATE_BYTES - 64 + signer.length);
    expect(decodeTemplate(signed.encoded).template).toEqual(big);
  });

  it('refuses to encode what the decoder would refuse', async () => {
    for (const over of [{ validForMs: 0 }, { validForMs: 3_600_001 }, { height: -1 }, { prevHash: new Uint8Array(31) }, { reward: 1n << 64n }, { merkleBranch: new Array(17).fill(new Uint8Array(32)) }]) {
      await expect(signTemplate(template(over as Partial<CoinTemplate>), sign)).rejects.toThrow(P2pCodecError);
    }
  });

  it('names the field of malformed input and throws nothing but P2pCodecError', async () => {
    const good = (await signTemplate(template(), sign)).encoded;
    expect(() => decodeTemplate(good.subarray(0, 75))).toThrow(/template: issuedAt needs 8 bytes/);
    expect(() => decodeTemplate(Uint8Array.from([...good, 0]))).toThrow(/1 unexpected byte after the last field/);
    expect(() => decodeTemplate(Uint8Array.of(2))).toThrow(/unknown format version 2/);
    expect(() => decodeTemplate(new Uint8Array(MAX_TEMPLATE_BYTES + 1))).toThrow(/more than the/);
    for (const b of [...fuzzBytes(21, 300, 1200), ...mutations([good], 22, 1000)]) {
      try {
        decodeTemplate(b);
      } catch (err) {
        expect(err).toBeInstanceOf(P2pCodecError);
      }
    }
  });

  it('says when a template may no longer be mined on', () => {
    const t = template();
    expect(templateAgeProblem(t, t.issuedAt)).toBeUndefined();
    expect(templateAgeProblem(t, t.issuedAt + t.validForMs)).toBeUndefined();
    expect(templateAgeProblem(t, t.issuedAt + t.validForMs + 1)).toMatch(/^stale: issued 120 s ago/);
    expect(templateAgeProblem(t, t.issuedAt - MAX_TEMPLATE_FUTURE_MS - 1)).toMatch(/in the future/);
  });

  it('keys coin work by tip, reward, mandated outputs and branch, nothing else', () => {
    const t = template();
    const id = templateIdOf(t);
    expect(bytesEqual(templateIdOf({ ...t, issuedAt: 5, curtime: 7, signer: new Uint8Array(3) } as CoinTemplate), id)).toBe(true);
    for (const other of [{ reward: t.reward + 1n }, { prevHash: sha256d(Uint8Array.of(9)) }, { merkleBranch: t.merkleBranch.slice(1) }, { mandatedOutputs: [] }]) {
      expect(bytesToHex(templateIdOf({ ...t, ...other }))).not.toBe(bytesToHex(id));
    }
  });

  it('request and response frames round-trip and reject anything else', async () => {
    const signed = await signTemplate(template(), sign);
    expect(decodeTemplateRequest(encodeTemplateRequest())).toBe('latest');
    expect(() => decodeTemplateRequest(Uint8Array.of(1, 0))).toThrow(/single byte 0x01/);
    expect(() => decodeTemplateRequest(new Uint8Array(0))).toThrow(P2pCodecError);
    const res = decodeTemplateResponse(encodeTemplateResponse({ type: 'template', template: signed }));
    expect(res.type === 'template' && res.template.template).toEqual(signed.template);
    expect(decodeTemplateResponse(encodeTemplateResponse({ type: 'error', text: 'no template yet' }))).toEqual({ type: 'error', text: 'no template yet' });
    expect(() => decodeTemplateResponse(Uint8Array.of(0x42))).toThrow(/unknown type 0x42/);
    expect(templateProtocol(pool)).toBe(`/otedama/${bytesToHex(pool)}/template/1.0.0`);
  });
});

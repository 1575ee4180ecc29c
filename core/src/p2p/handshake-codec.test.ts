import { describe, expect, it } from 'vitest';
import { P2pCodecError } from '../errors.ts';
import { bytesToHex } from '../hex.ts';
import { sha256 } from '../sha256.ts';
import {
  CHALLENGE_BYTES,
  checkHandshakeSolution,
  decodeHandshake,
  encodeHandshake,
  handshakeSolution,
  HANDSHAKE_VERSION,
  MAX_HANDSHAKE_FRAME_BYTES,
  type HandshakeMessage,
} from './handshake-codec.ts';
import { fuzzBytes, mutations } from '../../test/fuzz.ts';

const pool = sha256(new TextEncoder().encode('pool A'));
const other = sha256(new TextEncoder().encode('pool B'));
const challenge = new Uint8Array(CHALLENGE_BYTES).fill(7);
const alice = Uint8Array.from([0x00, 0x24, ...new Array<number>(36).fill(1)]);
const bob = Uint8Array.from([0x00, 0x24, ...new Array<number>(36).fill(2)]);

describe('handshake codec', () => {
  const messages: HandshakeMessage[] = [
    { type: 'hello', version: HANDSHAKE_VERSION, poolId: pool, challenge },
    { type: 'reply', version: HANDSHAKE_VERSION, poolId: pool, challenge, solution: handshakeSolution(pool, challenge, bob, alice) },
    { type: 'proof', solution: handshakeSolution(pool, challenge, alice, bob) },
    { type: 'welcome' },
    { type: 'refuse', reason: 'otherPool', text: `this peer runs pool ${bytesToHex(pool)}` },
  ];

  it('round-trips every message type', () => {
    for (const m of messages) expect(decodeHandshake(encodeHandshake(m))).toEqual(m);
  });

  it('keeps every message within the frame limit', () => {
    const long: HandshakeMessage = { type: 'refuse', reason: 'malformed', text: 'é'.repeat(500) };
    for (const m of [...messages, long]) expect(encodeHandshake(m).length).toBeLessThanOrEqual(MAX_HANDSHAKE_FRAME_BYTES);
    // Refusal text is cut at a character boundary, never in the middle of a UTF-8 sequence.
    const back = decodeHandshake(encodeHandshake(long));
    expect(back.type === 'refuse' && /^é+$/.test(back.text)).toBe(true);
  });

  it('binds the solution to the pool, the challenge and both peers, in order', () => {
    const s = handshakeSolution(pool, challenge, alice, bob);
    expect(checkHandshakeSolution(s, pool, challenge, alice, bob)).toBe(true);
    expect(checkHandshakeSolution(s, other, challenge, alice, bob)).toBe(false);
    expect(checkHandshakeSolution(s, pool, new Uint8Array(CHALLENGE_BYTES), alice, bob)).toBe(false);
    expect(checkHandshakeSolution(s, pool, challenge, bob, alice)).toBe(false);
    expect(checkHandshakeSolution(s.slice(1), pool, challenge, alice, bob)).toBe(false);
  });

  it('names the field of a malformed message', () => {
    expect(() => decodeHandshake(new Uint8Array())).toThrow(/type needs 1 byte/);
    expect(() => decodeHandshake(Uint8Array.of(9))).toThrow(/unknown type 9/);
    expect(() => decodeHandshake(Uint8Array.of(1, 1, 0, 0))).toThrow(/poolId needs 32 bytes but only 2 remain/);
    expect(() => decodeHandshake(Uint8Array.of(4, 0))).toThrow(/1 unexpected byte after the last field/);
    expect(() => decodeHandshake(new Uint8Array(MAX_HANDSHAKE_FRAME_BYTES + 1))).toThrow(/more than the 256 allowed/);
    expect(() => decodeHandshake(Uint8Array.of(5, 1, 3, 0x61, 0xff, 0x62))).toThrow(/text is not UTF-8/);
    expect(() => encodeHandshake({ type: 'proof', solution: new Uint8Array(31) })).toThrow(/solution must be 32 bytes/);
  });

  it('never throws anything but P2pCodecError on fuzzed input', () => {
    const seeds = messages.map(encodeHandshake);
    for (const input of [...fuzzBytes(1, 2000, 120), ...mutations(seeds, 2, 3000)]) {
      try {
        decodeHandshake(input);
      } catch (err) {
        expect(err).toBeInstanceOf(P2pCodecError);
      }
    }
  });
});

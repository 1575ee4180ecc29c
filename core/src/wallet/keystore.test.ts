/** The encrypted key file: real WebCrypto (Node's globalThis.crypto.subtle), round trips, wrong passphrases and hostile files. */
import { describe, expect, it } from 'vitest';
import { WalletError } from '../errors.ts';
import { bytesToHex, hexToBytes } from '../hex.ts';
import { walletAddress } from './keys.ts';
import { checkWalletFile, DEFAULT_PBKDF2_ITERATIONS, MIN_PBKDF2_ITERATIONS, openWalletFile, passphraseProblem, sealPrivateKey, type WalletFile } from './keystore.ts';

const subtle = globalThis.crypto.subtle;
const random = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n));
// BIP-143's P2WPKH example key (wallet-vectors.json).
const KEY = hexToBytes('619c335025c7f4012e556c2a58b2506e30b8511b53ade95ea316fd8c3286feb9');
const PASS = 'correct horse battery staple';
// Tests use the fewest iterations a file may have: the same code path, a fifth of the time.
const seal = (over: Partial<Parameters<typeof sealPrivateKey>[0]> = {}) =>
  sealPrivateKey({ privateKey: KEY, network: 'regtest', passphrase: PASS, subtle, random, iterations: MIN_PBKDF2_ITERATIONS, now: 1_700_000_000_000, ...over });

describe('wallet file', () => {
  it('seals a key that opens with the passphrase and gives the same address', async () => {
    const file = await seal();
    expect(file).toMatchObject({ format: 'otedama-wallet', version: 1, network: 'regtest', address: walletAddress(KEY, 'regtest'), createdAt: 1_700_000_000_000 });
    expect(file.kdf).toMatchObject({ name: 'PBKDF2', hash: 'SHA-256', iterations: MIN_PBKDF2_ITERATIONS });
    // Nothing of the key is in the clear.
    expect(JSON.stringify(file)).not.toContain(bytesToHex(KEY));
    const opened = await openWalletFile(JSON.parse(JSON.stringify(file)), PASS, subtle);
    expect(bytesToHex(opened.privateKey)).toBe(bytesToHex(KEY));
    expect(opened.address).toBe(file.address);
    // New salt and IV every time.
    const again = await seal();
    expect(again.kdf.salt).not.toBe(file.kdf.salt);
    expect(again.ciphertext).not.toBe(file.ciphertext);
  });

  it('uses 600,000 PBKDF2 iterations unless told otherwise', () => {
    expect(DEFAULT_PBKDF2_ITERATIONS).toBe(600_000);
  });

  it('a wrong passphrase, an edited address or a flipped ciphertext bit do not open', async () => {
    const file = await seal();
    await expect(openWalletFile(file, 'correct horse battery stapl', subtle)).rejects.toThrow(/wrong passphrase/);
    await expect(openWalletFile(file, '', subtle)).rejects.toThrow(/enter the passphrase/);
    const other = walletAddress(hexToBytes('00'.repeat(31) + '01'), 'regtest');
    await expect(openWalletFile({ ...file, address: other }, PASS, subtle)).rejects.toThrow(/wrong passphrase \(or the wallet file was changed\)/);
    await expect(openWalletFile({ ...file, network: 'testnet' }, PASS, subtle)).rejects.toThrow(WalletError);
    const flipped = file.ciphertext.slice(0, 10) + (file.ciphertext[10] === '0' ? '1' : '0') + file.ciphertext.slice(11);
    await expect(openWalletFile({ ...file, ciphertext: flipped }, PASS, subtle)).rejects.toThrow(/wrong passphrase/);
  });

  it('refuses weak passphrases for new files', async () => {
    expect(passphraseProblem('short')).toMatch(/at least 8/);
    expect(passphraseProblem(' leading space')).toMatch(/spaces/);
    expect(passphraseProblem(42)).toMatch(/text/);
    expect(passphraseProblem(PASS)).toBeUndefined();
    await expect(seal({ passphrase: '1234567' })).rejects.toThrow(/at least 8/);
    await expect(seal({ iterations: 1000 })).rejects.toThrow(/iterations/);
  });

  it('refuses malformed and hostile files with the field that is wrong', async () => {
    const file = await seal();
    const cases: [unknown, RegExp][] = [
      [null, /not a JSON object/],
      [[], /not a JSON object/],
      [{ ...file, format: 'x' }, /"format"/],
      [{ ...file, version: 2 }, /version 2/],
      [{ ...file, network: 'litecoin' }, /unknown network/],
      [{ ...file, address: 'BCRT1Q…' }, /no bech32 address/],
      [{ ...file, createdAt: 'yesterday' }, /createdAt/],
      [{ ...file, kdf: { ...file.kdf, name: 'scrypt' } }, /PBKDF2/],
      // A file that would make the page grind for hours, or one that is cheap to guess.
      [{ ...file, kdf: { ...file.kdf, iterations: 1e12 } }, /iterations must be a whole number/],
      [{ ...file, kdf: { ...file.kdf, iterations: 1 } }, /iterations must be a whole number/],
      [{ ...file, kdf: { ...file.kdf, salt: 'zz' } }, /kdf.salt/],
      [{ ...file, cipher: { name: 'AES-CBC', iv: file.cipher.iv } }, /AES-GCM/],
      [{ ...file, cipher: { ...file.cipher, iv: '00' } }, /cipher.iv/],
      [{ ...file, ciphertext: file.ciphertext.slice(2) }, /ciphertext/],
    ];
    for (const [raw, reason] of cases) {
      expect(() => checkWalletFile(raw), JSON.stringify(raw)?.slice(0, 80)).toThrow(reason);
      await expect(openWalletFile(raw, PASS, subtle)).rejects.toBeInstanceOf(WalletError);
    }
    const ok: WalletFile = checkWalletFile(JSON.parse(JSON.stringify({ ...file, extra: 'ignored' })));
    expect(ok).toEqual(file);
  });
});

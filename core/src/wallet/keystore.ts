/**
 * The wallet's private key encrypted at rest, one format for the page (IndexedDB) and the CLI
 * (a file): AES-256-GCM under a key derived from the person's passphrase with PBKDF2-HMAC-SHA-256.
 *
 * Why PBKDF2 and not HKDF: the input is a passphrase a person types, with little entropy; HKDF
 * only stretches keys that are already random and would let an attacker try billions of
 * passphrases a second. PBKDF2 with many iterations makes every guess cost (WebCrypto offers no
 * scrypt or Argon2, and the page must not ship its own). 600,000 iterations is OWASP's figure for
 * PBKDF2-HMAC-SHA-256 (Password Storage Cheat Sheet, 2023): about half a second in a browser.
 *
 * The file names its network and address in the clear (so `wallet show` needs no passphrase), and
 * both are bound to the ciphertext as AES-GCM additional data: a file whose address was edited
 * does not decrypt. After decryption the key must give the stated address again.
 *
 * Pure: WebCrypto's SubtleCrypto and a random source are passed in (globalThis.crypto in
 * browsers and Node 22).
 */
import { utf8 as utf8Codec } from '@scure/base';
import { NETWORKS, type Network } from '../address.ts';
import { WalletError } from '../errors.ts';
import { bytesToHex, hexToBytes } from '../hex.ts';
import { walletAddress, type RandomBytes } from './keys.ts';

export const WALLET_FORMAT = 'otedama-wallet';
export const WALLET_VERSION = 1;
/** PBKDF2-HMAC-SHA-256 iterations for new files (OWASP 2023). */
export const DEFAULT_PBKDF2_ITERATIONS = 600_000;
/** Fewest iterations a file may name: below this a stolen file falls to guessing quickly. */
export const MIN_PBKDF2_ITERATIONS = 100_000;
/** Most iterations a file may name: a hostile file must not hang the page for minutes. */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;
/** Shortest passphrase accepted for a new file. */
export const MIN_PASSPHRASE_LENGTH = 8;
const SALT_BYTES = 16;
/** AES-GCM's standard 96-bit nonce. */
const IV_BYTES = 12;
/** 32-byte key + 16-byte GCM tag. */
const CIPHERTEXT_BYTES = 48;

type KeyUse = 'deriveKey' | 'encrypt' | 'decrypt';
/** Bytes on a plain ArrayBuffer, as WebCrypto's BufferSource wants them. */
type Bytes = Uint8Array<ArrayBuffer>;
const bytes = (b: Uint8Array): Bytes => new Uint8Array(b);

/** The parts of WebCrypto's SubtleCrypto this module uses (globalThis.crypto.subtle fits). */
export interface SubtleLike {
  importKey(format: 'raw', keyData: Bytes, algorithm: { name: string }, extractable: boolean, usages: KeyUse[]): Promise<unknown>;
  deriveKey(
    algorithm: { name: 'PBKDF2'; hash: string; salt: Bytes; iterations: number },
    baseKey: unknown,
    derivedKeyType: { name: 'AES-GCM'; length: number },
    extractable: boolean,
    usages: KeyUse[],
  ): Promise<unknown>;
  encrypt(algorithm: { name: 'AES-GCM'; iv: Bytes; additionalData: Bytes }, key: unknown, data: Bytes): Promise<ArrayBuffer>;
  decrypt(algorithm: { name: 'AES-GCM'; iv: Bytes; additionalData: Bytes }, key: unknown, data: Bytes): Promise<ArrayBuffer>;
}

export interface WalletFile {
  readonly format: typeof WALLET_FORMAT;
  readonly version: typeof WALLET_VERSION;
  readonly network: Network;
  /** The P2WPKH address of the key (in the clear: showing it needs no passphrase). */
  readonly address: string;
  /** Unix ms when the key was made. */
  readonly createdAt: number;
  readonly kdf: { readonly name: 'PBKDF2'; readonly hash: 'SHA-256'; readonly iterations: number; readonly salt: string };
  readonly cipher: { readonly name: 'AES-GCM'; readonly iv: string };
  /** AES-GCM(private key) with its tag, hex. */
  readonly ciphertext: string;
}

export interface SealOptions {
  readonly privateKey: Uint8Array;
  readonly network: Network;
  readonly passphrase: string;
  readonly subtle: SubtleLike;
  readonly random: RandomBytes;
  readonly iterations?: number;
  readonly now?: number;
}

export interface OpenedWallet {
  readonly privateKey: Uint8Array;
  readonly network: Network;
  readonly address: string;
}

const utf8 = { encode: (text: string): Uint8Array => utf8Codec.decode(text) };

/** A reason a new passphrase is not good enough, or undefined. */
export function passphraseProblem(passphrase: unknown): string | undefined {
  if (typeof passphrase !== 'string') return 'the passphrase must be text';
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) return `the passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`;
  if (passphrase.trim() !== passphrase) return 'the passphrase must not start or end with spaces (they are easy to lose)';
  return undefined;
}

function checkIterations(n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < MIN_PBKDF2_ITERATIONS || n > MAX_PBKDF2_ITERATIONS) {
    throw new WalletError('kdf.iterations', `PBKDF2 iterations must be a whole number from ${MIN_PBKDF2_ITERATIONS} to ${MAX_PBKDF2_ITERATIONS} (got ${String(n)})`);
  }
  return n;
}

function additionalData(network: Network, address: string): Uint8Array {
  return utf8.encode(`${WALLET_FORMAT}/${WALLET_VERSION}/${network}/${address}`);
}

async function aesKey(subtle: SubtleLike, passphrase: string, salt: Uint8Array, iterations: number): Promise<unknown> {
  const base = await subtle.importKey('raw', bytes(utf8.encode(passphrase.normalize('NFC'))), { name: 'PBKDF2' }, false, ['deriveKey']);
  return subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: bytes(salt), iterations }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** Encrypts a private key under a passphrase; throws WalletError for a weak passphrase or a bad key. */
export async function sealPrivateKey(o: SealOptions): Promise<WalletFile> {
  const problem = passphraseProblem(o.passphrase);
  if (problem) throw new WalletError('passphrase', problem);
  if (!NETWORKS.includes(o.network)) throw new WalletError('network', `unknown network ${JSON.stringify(o.network)}`);
  const iterations = checkIterations(o.iterations ?? DEFAULT_PBKDF2_ITERATIONS);
  const address = walletAddress(o.privateKey, o.network);
  const salt = o.random(SALT_BYTES);
  const iv = o.random(IV_BYTES);
  if (salt.length !== SALT_BYTES || iv.length !== IV_BYTES) throw new WalletError('random', 'the random source gave the wrong number of bytes');
  const key = await aesKey(o.subtle, o.passphrase, salt, iterations);
  const plain = bytes(o.privateKey);
  let sealed: Uint8Array;
  try {
    sealed = new Uint8Array(await o.subtle.encrypt({ name: 'AES-GCM', iv: bytes(iv), additionalData: bytes(additionalData(o.network, address)) }, key, plain));
  } finally {
    plain.fill(0);
  }
  return {
    format: WALLET_FORMAT,
    version: WALLET_VERSION,
    network: o.network,
    address,
    createdAt: o.now ?? 0,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: bytesToHex(salt) },
    cipher: { name: 'AES-GCM', iv: bytesToHex(iv) },
    ciphertext: bytesToHex(sealed),
  };
}

/** Checks that `raw` (parsed JSON) is a wallet file this code can open; throws WalletError naming the field. */
export function checkWalletFile(raw: unknown): WalletFile {
  const fail = (field: string, reason: string) => new WalletError(field, `not an Otedama wallet file: ${reason}`);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw fail('file', 'it is not a JSON object');
  const r = raw as Record<string, unknown>;
  if (r.format !== WALLET_FORMAT) throw fail('format', `"format" must be "${WALLET_FORMAT}"`);
  if (r.version !== WALLET_VERSION) throw fail('version', `version ${JSON.stringify(r.version)} is not one this otedama reads (it reads ${WALLET_VERSION})`);
  if (!NETWORKS.includes(r.network as Network)) throw fail('network', `unknown network ${JSON.stringify(r.network)}`);
  if (typeof r.address !== 'string' || !/^[a-z0-9]{14,90}$/.test(r.address)) throw fail('address', 'no bech32 address');
  if (typeof r.createdAt !== 'number' || !Number.isFinite(r.createdAt) || r.createdAt < 0) throw fail('createdAt', '"createdAt" must be a time');
  const kdf = r.kdf as Record<string, unknown> | undefined;
  if (!kdf || typeof kdf !== 'object' || kdf.name !== 'PBKDF2' || kdf.hash !== 'SHA-256') throw fail('kdf', 'the key derivation must be PBKDF2 with SHA-256');
  checkIterations(kdf.iterations);
  const hexOf = (v: unknown, bytes: number, field: string) => {
    if (typeof v !== 'string' || v.length !== bytes * 2 || !/^[0-9a-f]+$/.test(v)) throw fail(field, `"${field}" must be ${bytes} bytes of lower-case hex`);
  };
  hexOf(kdf.salt, SALT_BYTES, 'kdf.salt');
  const cipher = r.cipher as Record<string, unknown> | undefined;
  if (!cipher || typeof cipher !== 'object' || cipher.name !== 'AES-GCM') throw fail('cipher', 'the cipher must be AES-GCM');
  hexOf(cipher.iv, IV_BYTES, 'cipher.iv');
  hexOf(r.ciphertext, CIPHERTEXT_BYTES, 'ciphertext');
  return {
    format: WALLET_FORMAT,
    version: WALLET_VERSION,
    network: r.network as Network,
    address: r.address,
    createdAt: r.createdAt,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: kdf.iterations as number, salt: kdf.salt as string },
    cipher: { name: 'AES-GCM', iv: cipher.iv as string },
    ciphertext: r.ciphertext as string,
  };
}

/**
 * Decrypts a wallet file with the passphrase. Throws WalletError: 'passphrase' when it is wrong
 * (or the file was tampered with: AES-GCM cannot tell the two apart), or naming the bad field.
 */
export async function openWalletFile(raw: unknown, passphrase: string, subtle: SubtleLike): Promise<OpenedWallet> {
  const file = checkWalletFile(raw);
  if (typeof passphrase !== 'string' || passphrase === '') throw new WalletError('passphrase', 'enter the passphrase');
  const key = await aesKey(subtle, passphrase, hexToBytes(file.kdf.salt), file.kdf.iterations);
  let privateKey: Uint8Array;
  try {
    privateKey = new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: bytes(hexToBytes(file.cipher.iv)), additionalData: bytes(additionalData(file.network, file.address)) }, key, bytes(hexToBytes(file.ciphertext))));
  } catch {
    throw new WalletError('passphrase', 'wrong passphrase (or the wallet file was changed)');
  }
  let address: string;
  try {
    address = walletAddress(privateKey, file.network);
  } catch {
    throw new WalletError('ciphertext', 'the decrypted key is not a valid private key');
  }
  if (address !== file.address) throw new WalletError('address', `the key gives ${address}, not the file's ${file.address}`);
  return { privateKey, network: file.network, address };
}

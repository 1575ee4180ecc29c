/**
 * Keys of the newcomer's wallet: a secp256k1 private key, its compressed public key, the P2WPKH
 * (bech32, BIP173) address it receives on, and the key in Wallet Import Format for importing it
 * elsewhere (Bitcoin Core's importdescriptors "wpkh(WIF)", Electrum, ...). Pure: the randomness
 * is passed in (crypto.getRandomValues in browsers and Node).
 *
 * Curve arithmetic is @noble/curves (audited); hash160 is SHA-256 then RIPEMD-160 (@noble/hashes);
 * bech32 is core's address codec (@scure/base).
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { createBase58check } from '@scure/base';
import { NETWORK_PARAMS, scriptToAddress, type Network } from '../address.ts';
import { WalletError } from '../errors.ts';
import { concatBytes } from '../hex.ts';
import { sha256 } from '../sha256.ts';

/** A source of cryptographically secure random bytes. */
export type RandomBytes = (length: number) => Uint8Array;

/** WIF version byte per network (Bitcoin Core chainparams: SECRET_KEY). */
export const WIF_VERSION: Readonly<Record<Network, number>> = { mainnet: 0x80, testnet: 0xef, regtest: 0xef };
/** Suffix byte of a WIF whose public key is compressed. */
const WIF_COMPRESSED = 0x01;
const PRIVATE_KEY_BYTES = 32;
/** Draws before giving up on a random source that keeps producing invalid keys (a broken source). */
const MAX_KEY_DRAWS = 16;

const base58check = createBase58check(sha256);

/** True for 32 bytes that are a valid secp256k1 private key (1 .. n-1). */
export function isValidPrivateKey(key: Uint8Array): boolean {
  return key instanceof Uint8Array && key.length === PRIVATE_KEY_BYTES && secp256k1.utils.isValidSecretKey(key);
}

function checkPrivateKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== PRIVATE_KEY_BYTES) throw new WalletError('privateKey', `a private key is ${PRIVATE_KEY_BYTES} bytes (got ${key instanceof Uint8Array ? key.length : typeof key})`);
  if (!secp256k1.utils.isValidSecretKey(key)) throw new WalletError('privateKey', 'the private key is 0 or not below the secp256k1 group order');
}

/**
 * A new private key from `random` (32 bytes, redrawn in the astronomically rare case that they
 * are not below the group order). Throws WalletError when the source gives the wrong length or
 * keeps giving invalid keys (an all-zero source, say).
 */
export function generatePrivateKey(random: RandomBytes): Uint8Array {
  for (let i = 0; i < MAX_KEY_DRAWS; i++) {
    const key = random(PRIVATE_KEY_BYTES);
    if (!(key instanceof Uint8Array) || key.length !== PRIVATE_KEY_BYTES) throw new WalletError('random', `the random source gave ${key instanceof Uint8Array ? key.length : typeof key} bytes instead of ${PRIVATE_KEY_BYTES}`);
    if (secp256k1.utils.isValidSecretKey(key)) return key;
  }
  throw new WalletError('random', `the random source gave no valid key in ${MAX_KEY_DRAWS} draws; it is broken`);
}

/** The compressed (33-byte) public key of a private key. */
export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  checkPrivateKey(privateKey);
  return secp256k1.getPublicKey(privateKey, true);
}

/** RIPEMD-160(SHA-256(data)): the hash in P2PKH and P2WPKH outputs. */
export function hash160(data: Uint8Array): Uint8Array {
  return ripemd160(sha256(data));
}

/** The P2WPKH (bech32 "…1q…") address of a compressed public key on `network`. */
export function p2wpkhAddress(publicKey: Uint8Array, network: Network): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 33 || (publicKey[0] !== 2 && publicKey[0] !== 3)) {
    throw new WalletError('publicKey', 'P2WPKH needs a compressed public key (33 bytes starting with 02 or 03)');
  }
  return scriptToAddress(concatBytes(new Uint8Array([0x00, 20]), hash160(publicKey)), network)!;
}

/** The P2WPKH address a private key receives on. */
export function walletAddress(privateKey: Uint8Array, network: Network): string {
  return p2wpkhAddress(publicKeyOf(privateKey), network);
}

/** The private key in Wallet Import Format (compressed public key, as P2WPKH needs). */
export function encodeWif(privateKey: Uint8Array, network: Network, compressed = true): string {
  checkPrivateKey(privateKey);
  const payload = concatBytes(new Uint8Array([WIF_VERSION[network]]), privateKey, compressed ? new Uint8Array([WIF_COMPRESSED]) : new Uint8Array(0));
  return base58check.encode(payload);
}

export interface DecodedWif {
  readonly privateKey: Uint8Array;
  /** Networks the version byte belongs to (testnet and regtest share 0xef). */
  readonly networks: readonly Network[];
  readonly compressed: boolean;
}

/** Decodes a WIF; throws WalletError with the reason (typo, wrong length, unknown version, bad key). */
export function decodeWif(wif: string): DecodedWif {
  if (typeof wif !== 'string' || wif.trim() === '') throw new WalletError('wif', 'the WIF key is empty');
  let payload: Uint8Array;
  try {
    payload = base58check.decode(wif.trim());
  } catch (err) {
    throw new WalletError('wif', /checksum/i.test((err as Error).message ?? '') ? 'bad checksum: the WIF key has a typo' : 'not a WIF key (it is not base58check)');
  }
  const compressed = payload.length === 34 && payload[33] === WIF_COMPRESSED;
  if (payload.length !== 33 && !compressed) throw new WalletError('wif', `a WIF key holds 33 or 34 bytes (got ${payload.length})`);
  const networks = (Object.keys(WIF_VERSION) as Network[]).filter((n) => WIF_VERSION[n] === payload[0]);
  if (networks.length === 0) throw new WalletError('wif', `unknown WIF version byte 0x${payload[0]!.toString(16).padStart(2, '0')} (Bitcoin uses 0x80 and 0xef)`);
  const privateKey = payload.slice(1, 33);
  checkPrivateKey(privateKey);
  return { privateKey, networks, compressed };
}

/** What addresses of `network` look like ("bcrt1…"), for texts that say where an address comes from. */
export function bech32Prefix(network: Network): string {
  return `${NETWORK_PARAMS[network].hrp}1`;
}

/**
 * Bitcoin addresses <-> output scripts for mainnet, testnet (and signet) and regtest:
 * base58check P2PKH/P2SH, bech32 (BIP173) segwit v0 and bech32m (BIP350) segwit v1..v16.
 * Simnet uses the regtest formats (bcrt1..., m/n..., 2...).
 */
import { bech32, bech32m, createBase58check } from '@scure/base';
import { InvalidAddressError } from './errors.ts';
import { concatBytes } from './hex.ts';
import { sha256 } from './sha256.ts';

export type Network = 'mainnet' | 'testnet' | 'regtest';
export const NETWORKS: readonly Network[] = ['mainnet', 'testnet', 'regtest'];

export type AddressType = 'p2pkh' | 'p2sh' | 'p2wpkh' | 'p2wsh' | 'p2tr' | 'witness-unknown';

export interface NetworkParams {
  /** bech32 human-readable part. */
  readonly hrp: string;
  /** base58check version byte of P2PKH addresses. */
  readonly p2pkh: number;
  /** base58check version byte of P2SH addresses. */
  readonly p2sh: number;
  /** What addresses of this network look like, for error messages. */
  readonly looksLike: string;
}

export const NETWORK_PARAMS: Readonly<Record<Network, NetworkParams>> = {
  mainnet: { hrp: 'bc', p2pkh: 0x00, p2sh: 0x05, looksLike: 'bc1…, 1…, 3…' },
  testnet: { hrp: 'tb', p2pkh: 0x6f, p2sh: 0xc4, looksLike: 'tb1…, m…, n…, 2…' },
  regtest: { hrp: 'bcrt', p2pkh: 0x6f, p2sh: 0xc4, looksLike: 'bcrt1…, m…, n…, 2…' },
};

export interface DecodedAddress {
  /** The address as given (bech32 lower-cased). */
  readonly address: string;
  readonly type: AddressType;
  /** Networks the address is valid on (base58 testnet and regtest share version bytes). */
  readonly networks: readonly Network[];
  /** Segwit version for bech32/bech32m addresses. */
  readonly witnessVersion?: number;
  /** The 20/32-byte hash or witness program. */
  readonly program: Uint8Array;
  /** The scriptPubKey the address pays to. */
  readonly script: Uint8Array;
}

export interface ValidateOptions {
  /** Name of the chain for messages, e.g. "simnet" ("simnet uses regtest addresses (…)"). */
  readonly chainName?: string;
}

/** Longest segwit address BIP173 allows (characters). */
const BECH32_MAX_LENGTH = 90;
const OP_0 = 0x00;
const OP_1 = 0x51;
const OP_DUP = 0x76;
const OP_HASH160 = 0xa9;
const OP_EQUAL = 0x87;
const OP_EQUALVERIFY = 0x88;
const OP_CHECKSIG = 0xac;

const base58check = createBase58check(sha256);

function describeNetworks(networks: readonly Network[]): string {
  if (networks.length === 2 && networks.includes('testnet') && networks.includes('regtest')) return 'testnet/regtest';
  return networks.join('/');
}

function p2pkhScript(hash: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([OP_DUP, OP_HASH160, 20]), hash, new Uint8Array([OP_EQUALVERIFY, OP_CHECKSIG]));
}

function p2shScript(hash: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([OP_HASH160, 20]), hash, new Uint8Array([OP_EQUAL]));
}

function witnessScript(version: number, program: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([version === 0 ? OP_0 : OP_1 + version - 1, program.length]), program);
}

function witnessType(version: number, length: number): AddressType {
  if (version === 0) return length === 20 ? 'p2wpkh' : 'p2wsh';
  if (version === 1 && length === 32) return 'p2tr';
  return 'witness-unknown';
}

function decodeSegwit(address: string, hrp: string, network: Network): DecodedAddress {
  const fail = (reason: string) => new InvalidAddressError(address, reason);
  if (address.length > BECH32_MAX_LENGTH) throw fail(`address is too long (${address.length} characters; segwit addresses have at most ${BECH32_MAX_LENGTH})`);
  if (address !== address.toLowerCase() && address !== address.toUpperCase()) throw fail('address mixes upper and lower case');
  const lower = address.toLowerCase();
  const asBech32 = bech32.decodeUnsafe(lower, BECH32_MAX_LENGTH);
  const asBech32m = asBech32 ? undefined : bech32m.decodeUnsafe(lower, BECH32_MAX_LENGTH);
  const decoded = asBech32 ?? asBech32m;
  if (!decoded) {
    const bad = [...lower.slice(hrp.length + 1)].find((c) => !'qpzry9x8gf2tvdw0s3jn54khce6mua7l'.includes(c));
    if (bad !== undefined) throw fail(`address contains "${bad}", which is not a bech32 character`);
    throw fail('bad checksum: the address has a typo (bech32/bech32m checksum does not match)');
  }
  const words = decoded.words;
  if (words.length === 0) throw fail('address has no data (no witness version or program)');
  const version = words[0]!;
  if (version > 16) throw fail(`unknown witness version ${version} (segwit versions are 0..16)`);
  if (version === 0 && !asBech32) throw fail('bad checksum: a version 0 segwit address must use bech32, not bech32m (BIP350)');
  if (version !== 0 && !asBech32m) throw fail(`bad checksum: a version ${version} segwit address must use bech32m, not bech32 (BIP350)`);
  const program = bech32.fromWordsUnsafe(words.slice(1));
  if (!program) throw fail('bad padding in the witness program (invalid 5-to-8 bit conversion)');
  if (program.length < 2 || program.length > 40) throw fail(`bad length: witness program is ${program.length} bytes (must be 2..40)`);
  if (version === 0 && program.length !== 20 && program.length !== 32) {
    throw fail(`bad length: a version 0 witness program is 20 or 32 bytes, not ${program.length}`);
  }
  return {
    address: lower,
    type: witnessType(version, program.length),
    networks: [network],
    witnessVersion: version,
    program,
    script: witnessScript(version, program),
  };
}

function decodeBase58(address: string): DecodedAddress {
  const fail = (reason: string) => new InvalidAddressError(address, reason);
  let payload: Uint8Array;
  try {
    payload = base58check.decode(address);
  } catch (err) {
    const msg = (err as Error).message ?? '';
    if (/checksum/i.test(msg)) throw fail('bad checksum: the address has a typo (base58check checksum does not match)');
    throw fail('not a Bitcoin address (neither bech32 nor base58check)');
  }
  if (payload.length !== 21) throw fail(`bad length: base58 address payload is ${payload.length} bytes (must be 21)`);
  const version = payload[0]!;
  const hash = payload.slice(1);
  const pkh = NETWORKS.filter((n) => NETWORK_PARAMS[n].p2pkh === version);
  if (pkh.length) return { address, type: 'p2pkh', networks: pkh, program: hash, script: p2pkhScript(hash) };
  const sh = NETWORKS.filter((n) => NETWORK_PARAMS[n].p2sh === version);
  if (sh.length) return { address, type: 'p2sh', networks: sh, program: hash, script: p2shScript(hash) };
  throw fail(`unknown version byte 0x${version.toString(16).padStart(2, '0')} (not a Bitcoin P2PKH or P2SH address)`);
}

/** Decodes an address of any supported network; throws InvalidAddressError with the reason. */
export function decodeAddress(address: string): DecodedAddress {
  if (typeof address !== 'string') throw new InvalidAddressError(String(address), 'address must be a string');
  const trimmed = address.trim();
  if (trimmed === '') throw new InvalidAddressError(address, 'address is empty');
  if (trimmed !== address) throw new InvalidAddressError(address, 'address has leading or trailing spaces');
  const sep = address.lastIndexOf('1');
  if (sep > 0) {
    const hrp = address.slice(0, sep).toLowerCase();
    const network = NETWORKS.find((n) => NETWORK_PARAMS[n].hrp === hrp);
    if (network) return decodeSegwit(address, hrp, network);
  }
  try {
    return decodeBase58(address);
  } catch (err) {
    // Something bech32-shaped with an unknown prefix reads better as that than as "bad base58".
    if (sep > 0 && sep <= 83 && /^[a-z0-9]+$/i.test(address.slice(0, sep)) && !/^[1-9A-HJ-NP-Za-km-z]+$/.test(address)) {
      throw new InvalidAddressError(address, `unknown address prefix "${address.slice(0, sep)}1" (Bitcoin uses bc1, tb1 and bcrt1)`);
    }
    throw err;
  }
}

/** Decodes and checks the address belongs to `network`; throws InvalidAddressError otherwise. */
export function validateAddress(address: string, network: Network, options: ValidateOptions = {}): DecodedAddress {
  const decoded = decodeAddress(address);
  if (!decoded.networks.includes(network)) {
    const uses = options.chainName ? `${options.chainName} uses ${network} addresses` : `expected a ${network} address`;
    throw new InvalidAddressError(
      address,
      `this is a ${describeNetworks(decoded.networks)} address; ${uses} (${NETWORK_PARAMS[network].looksLike})`,
    );
  }
  return decoded;
}

/** True when the address decodes and belongs to `network`. */
export function isValidAddress(address: string, network: Network): boolean {
  try {
    validateAddress(address, network);
    return true;
  } catch {
    return false;
  }
}

/** The scriptPubKey an address pays to (checked against the network). */
export function addressToScript(address: string, network: Network): Uint8Array {
  return validateAddress(address, network).script;
}

/**
 * The type of a standard output script that has an address (P2PKH, P2SH, segwit v0 with a 20- or
 * 32-byte program, segwit v1..v16 with a 2..40-byte program), or undefined for anything else
 * (OP_RETURN, bare multisig, non-standard). Pattern checks only: no allocation.
 */
export function standardScriptType(script: Uint8Array): AddressType | undefined {
  const n = script.length;
  if (n === 25 && script[0] === OP_DUP && script[1] === OP_HASH160 && script[2] === 20 && script[23] === OP_EQUALVERIFY && script[24] === OP_CHECKSIG) {
    return 'p2pkh';
  }
  if (n === 23 && script[0] === OP_HASH160 && script[1] === 20 && script[22] === OP_EQUAL) return 'p2sh';
  if (n >= 4 && n <= 42 && script[1] === n - 2) {
    const op = script[0]!;
    const version = op === OP_0 ? 0 : op >= OP_1 && op <= OP_1 + 15 ? op - OP_1 + 1 : -1;
    if (version < 0) return undefined;
    if (version === 0 && n - 2 !== 20 && n - 2 !== 32) return undefined;
    return witnessType(version, n - 2);
  }
  return undefined;
}

/**
 * The address of a standard output script on `network`, or undefined for scripts that have no
 * address (OP_RETURN, bare multisig, non-standard).
 */
export function scriptToAddress(script: Uint8Array, network: Network): string | undefined {
  const type = standardScriptType(script);
  if (type === undefined) return undefined;
  const p = NETWORK_PARAMS[network];
  if (type === 'p2pkh') return base58check.encode(concatBytes(new Uint8Array([p.p2pkh]), script.slice(3, 23)));
  if (type === 'p2sh') return base58check.encode(concatBytes(new Uint8Array([p.p2sh]), script.slice(2, 22)));
  const op = script[0]!;
  const version = op === OP_0 ? 0 : op - OP_1 + 1;
  const words = [version, ...bech32.toWords(script.slice(2))];
  return version === 0 ? bech32.encode(p.hrp, words, BECH32_MAX_LENGTH) : bech32m.encode(p.hrp, words, BECH32_MAX_LENGTH);
}

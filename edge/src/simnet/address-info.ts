/**
 * `validateaddress` as Bitcoin Core 28 answers it (src/rpc/output_script.cpp, src/key_io.cpp
 * DecodeDestination, src/bech32.cpp LocateErrors, src/base58.cpp), for one network's addresses:
 *
 *   valid:   {"isvalid": true, "address", "scriptPubKey", "isscript"?, "iswitness",
 *             "witness_version"?, "witness_program"?}
 *   invalid: {"isvalid": false, "error_locations": [...], "error": "<Core's message>"}
 *
 * A string that starts with the network's bech32 prefix is read as bech32 (its errors name the
 * likely positions of up to two wrong characters, as Core's do); anything else as base58check.
 * Pool software reads `isvalid` (NOMP, ckpool), `isscript`/`iswitness` (ckpool) and `address`
 * (NOMP builds its coinbase script from it).
 */
import { bytesToHex, NETWORK_PARAMS, scriptToAddress, sha256d, type Network } from '@otedama/core';

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
/** BIP173's generator of the bech32 checksum code. */
const BECH32_GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
/** What the checksum residue must be: BIP173 bech32 and BIP350 bech32m. */
const ENCODING_CONSTANT = { bech32: 1, bech32m: 0x2bc830a3 } as const;
type Encoding = keyof typeof ENCODING_CONSTANT;
/** Longest bech32 string (BIP173). */
const BECH32_MAX_LENGTH = 90;
/** Checksum characters at the end of a bech32 string. */
const CHECKSUM_SIZE = 6;
/** Base58check payload of an address: one version byte and a 20-byte hash. */
const BASE58_ADDRESS_BYTES = 21;
/** Core's DecodeBase58 limit when it only wants to know whether the string is base58 at all. */
const BASE58_ANY_LENGTH = 100;
/** Witness program lengths BIP141 allows. */
const MIN_WITNESS_PROGRAM = 2;
const MAX_WITNESS_PROGRAM = 40;
/** Pay-to-anchor (Core 28): witness v1 with this 2-byte program. */
const ANCHOR_PROGRAM = '4e73';

export type AddressInfo =
  | {
      isvalid: true;
      address: string;
      scriptPubKey: string;
      isscript?: boolean;
      iswitness: boolean;
      witness_version?: number;
      witness_program?: string;
    }
  | { isvalid: false; error_locations: number[]; error: string };

// ---------------------------------------------------------------------------------------------
// bech32 (BIP173, BIP350)

function polymod(values: readonly number[], start = 1): number {
  let chk = start;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= BECH32_GENERATOR[i]!;
  }
  return chk >>> 0;
}

function expandHrp(hrp: string): number[] {
  const out: number[] = [];
  for (const c of hrp) out.push(c.charCodeAt(0) >> 5);
  out.push(0);
  for (const c of hrp) out.push(c.charCodeAt(0) & 31);
  return out;
}

/** Core's CheckCharacters: printable ASCII, one case; the offending positions otherwise. */
function badCharacters(str: string): number[] {
  const errors: number[] = [];
  let lower = false;
  let upper = false;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) {
      if (upper) errors.push(i);
      else lower = true;
    } else if (c >= 0x41 && c <= 0x5a) {
      if (lower) errors.push(i);
      else upper = true;
    } else if (c < 33 || c > 126) errors.push(i);
  }
  return errors;
}

function charsetValue(c: string): number {
  return BECH32_CHARSET.indexOf(c.toLowerCase());
}

interface Bech32Decoded {
  readonly encoding: Encoding;
  readonly hrp: string;
  /** 5-bit values without the checksum. */
  readonly data: number[];
}

/** Core's bech32::Decode: undefined for anything that is not a valid bech32/bech32m string. */
function bech32Decode(str: string): Bech32Decoded | undefined {
  if (badCharacters(str).length) return undefined;
  const pos = str.lastIndexOf('1');
  if (str.length > BECH32_MAX_LENGTH || pos < 1 || pos + CHECKSUM_SIZE >= str.length) return undefined;
  const values: number[] = [];
  for (const c of str.slice(pos + 1)) {
    const v = charsetValue(c);
    if (v < 0) return undefined;
    values.push(v);
  }
  const hrp = str.slice(0, pos).toLowerCase();
  const check = polymod([...expandHrp(hrp), ...values]);
  const encoding = (Object.keys(ENCODING_CONSTANT) as Encoding[]).find((e) => ENCODING_CONSTANT[e] === check);
  if (!encoding) return undefined;
  return { encoding, hrp, data: values.slice(0, -CHECKSUM_SIZE) };
}

/**
 * Positions (string indices, ascending) of at most two substituted characters in the data part
 * that would make the checksum valid for `encoding`; [] when no such correction exists. The code
 * has distance 5 over these lengths, so a correction of one or two characters is unique: this is
 * what Core's syndrome decoder finds, found by search over the (few thousand) candidates.
 */
function locateChecksumErrors(hrp: string, values: readonly number[], strLength: number, encoding: Encoding): number[] {
  const target = polymod([...expandHrp(hrp), ...values]) ^ ENCODING_CONSTANT[encoding];
  if (target === 0) return [];
  const n = values.length;
  // effect[p][v]: the checksum change of adding v (1..31) to the symbol p places from the end.
  const effect: number[][] = [];
  let units = [1, 2, 4, 8, 16];
  for (let p = 0; p < n; p++) {
    const row = [0];
    for (let v = 1; v < 32; v++) {
      let e = 0;
      for (let b = 0; b < 5; b++) if ((v >> b) & 1) e ^= units[b]!;
      row.push(e >>> 0);
    }
    effect.push(row);
    units = units.map((u) => polymod([0], u));
  }
  const index = (p: number) => strLength - 1 - p;
  for (let p = 0; p < n; p++) for (let v = 1; v < 32; v++) if (effect[p]![v] === target) return [index(p)];
  const byEffect = new Map<number, number>();
  for (let p = 0; p < n; p++) for (let v = 1; v < 32; v++) if (!byEffect.has(effect[p]![v]!)) byEffect.set(effect[p]![v]!, p);
  for (let p1 = 0; p1 < n; p1++) {
    for (let v = 1; v < 32; v++) {
      const p2 = byEffect.get((target ^ effect[p1]![v]!) >>> 0);
      if (p2 !== undefined && p2 !== p1) return [index(p1), index(p2)].sort((a, b) => a - b);
    }
  }
  return [];
}

/** Core's bech32::LocateErrors: the message and the likely error positions. */
function bech32Errors(str: string): { error: string; locations: number[] } {
  if (str.length > BECH32_MAX_LENGTH) {
    return { error: 'Bech32 string too long', locations: Array.from({ length: str.length - BECH32_MAX_LENGTH }, (_, i) => BECH32_MAX_LENGTH + i) };
  }
  const bad = badCharacters(str);
  if (bad.length) return { error: 'Invalid character or mixed case', locations: bad };
  const pos = str.lastIndexOf('1');
  if (pos < 0) return { error: 'Missing separator', locations: [] };
  if (pos === 0 || pos + CHECKSUM_SIZE >= str.length) return { error: 'Invalid separator position', locations: [pos] };
  const hrp = str.slice(0, pos).toLowerCase();
  const values: number[] = [];
  for (let i = pos + 1; i < str.length; i++) {
    const v = charsetValue(str[i]!);
    if (v < 0) return { error: 'Invalid Base 32 character', locations: [i] };
    values.push(v);
  }
  let locations: number[] = [];
  let found: Encoding | undefined;
  for (const encoding of ['bech32', 'bech32m'] as const) {
    const possible = locateChecksumErrors(hrp, values, str.length, encoding);
    if (locations.length === 0 || (possible.length > 0 && possible.length < locations.length)) {
      locations = possible;
      if (possible.length) found = encoding;
    }
  }
  const error = found === 'bech32m' ? 'Invalid Bech32m checksum' : found === 'bech32' ? 'Invalid Bech32 checksum' : 'Invalid checksum';
  return { error, locations };
}

/** 5-bit groups to bytes without padding (Core's ConvertBits<5, 8, false>); undefined on bad padding. */
function fromWords(words: readonly number[]): Uint8Array | undefined {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  for (const w of words) {
    acc = (acc << 5) | w;
    bits += 5;
    while (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
  }
  if (bits >= 5 || acc !== 0) return undefined;
  return new Uint8Array(out);
}

// ---------------------------------------------------------------------------------------------
// base58 (Core's DecodeBase58: surrounding whitespace skipped, length bounded)

const SPACES = new Set([' ', '\f', '\n', '\r', '\t', '\v']);

function base58Decode(str: string, maxBytes: number): Uint8Array | undefined {
  if (str.includes('\0')) return undefined;
  let s = 0;
  let e = str.length;
  while (s < e && SPACES.has(str[s]!)) s++;
  while (e > s && SPACES.has(str[e - 1]!)) e--;
  const body = str.slice(s, e);
  let zeroes = 0;
  while (zeroes < body.length && body[zeroes] === '1') zeroes++;
  let n = 0n;
  for (const c of body.slice(zeroes)) {
    const d = BASE58_ALPHABET.indexOf(c);
    if (d < 0) return undefined;
    n = n * 58n + BigInt(d);
  }
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  if (zeroes + bytes.length > maxBytes) return undefined;
  return new Uint8Array([...new Array<number>(zeroes).fill(0), ...bytes]);
}

function base58CheckDecode(str: string, maxBytes: number): Uint8Array | undefined {
  const raw = base58Decode(str, maxBytes + 4);
  if (!raw || raw.length < 4) return undefined;
  const payload = raw.slice(0, -4);
  const sum = sha256d(payload);
  for (let i = 0; i < 4; i++) if (sum[i] !== raw[raw.length - 4 + i]) return undefined;
  return payload;
}

// ---------------------------------------------------------------------------------------------

function p2pkh(hash: Uint8Array): Uint8Array {
  return new Uint8Array([0x76, 0xa9, 20, ...hash, 0x88, 0xac]);
}

function p2sh(hash: Uint8Array): Uint8Array {
  return new Uint8Array([0xa9, 20, ...hash, 0x87]);
}

function witnessScript(version: number, program: Uint8Array): Uint8Array {
  return new Uint8Array([version === 0 ? 0 : 0x50 + version, program.length, ...program]);
}

function valid(script: Uint8Array, network: Network, detail: Omit<Extract<AddressInfo, { isvalid: true }>, 'isvalid' | 'address' | 'scriptPubKey'>): AddressInfo {
  return { isvalid: true, address: scriptToAddress(script, network)!, scriptPubKey: bytesToHex(script), ...detail };
}

function invalid(error: string, locations: number[] = []): AddressInfo {
  return { isvalid: false, error_locations: locations, error };
}

/** What Core's validateaddress answers for `str` on `network`. */
export function addressInfo(str: string, network: Network): AddressInfo {
  const params = NETWORK_PARAMS[network];
  const isBech32 = str.slice(0, params.hrp.length).toLowerCase() === params.hrp;
  if (!isBech32) {
    const data = base58CheckDecode(str, BASE58_ADDRESS_BYTES);
    if (data) {
      if (data.length === BASE58_ADDRESS_BYTES && data[0] === params.p2pkh) return valid(p2pkh(data.slice(1)), network, { isscript: false, iswitness: false });
      if (data.length === BASE58_ADDRESS_BYTES && data[0] === params.p2sh) return valid(p2sh(data.slice(1)), network, { isscript: true, iswitness: false });
      if (data.length >= 1 && (data[0] === params.p2pkh || data[0] === params.p2sh)) return invalid('Invalid length for Base58 address (P2PKH or P2SH)');
      return invalid('Invalid or unsupported Base58-encoded address.');
    }
    return invalid(
      base58Decode(str, BASE58_ANY_LENGTH) ? 'Invalid checksum or length of Base58 address (P2PKH or P2SH)' : 'Invalid or unsupported Segwit (Bech32) or Base58 encoding.',
    );
  }
  const dec = bech32Decode(str);
  if (!dec) {
    const { error, locations } = bech32Errors(str);
    return invalid(error, locations);
  }
  if (dec.data.length === 0) return invalid('Empty Bech32 data section');
  if (dec.hrp !== params.hrp) return invalid(`Invalid or unsupported prefix for Segwit (Bech32) address (expected ${params.hrp}, got ${dec.hrp}).`);
  const version = dec.data[0]!;
  if (version === 0 && dec.encoding !== 'bech32') return invalid('Version 0 witness address must use Bech32 checksum');
  if (version !== 0 && dec.encoding !== 'bech32m') return invalid('Version 1+ witness address must use Bech32m checksum');
  const program = fromWords(dec.data.slice(1));
  if (!program) return invalid('Invalid padding in Bech32 data section');
  const bytes = `${program.length} ${program.length === 1 ? 'byte' : 'bytes'}`;
  const hex = bytesToHex(program);
  if (version === 0) {
    if (program.length === 20) return valid(witnessScript(0, program), network, { isscript: false, iswitness: true, witness_version: 0, witness_program: hex });
    if (program.length === 32) return valid(witnessScript(0, program), network, { isscript: true, iswitness: true, witness_version: 0, witness_program: hex });
    return invalid(`Invalid Bech32 v0 address program size (${bytes}), per BIP141`);
  }
  if ((version === 1 && program.length === 32) || (version === 1 && hex === ANCHOR_PROGRAM)) {
    return valid(witnessScript(1, program), network, { isscript: true, iswitness: true, witness_version: 1, witness_program: hex });
  }
  if (version > 16) return invalid('Invalid Bech32 address witness version');
  if (program.length < MIN_WITNESS_PROGRAM || program.length > MAX_WITNESS_PROGRAM) return invalid(`Invalid Bech32 address program size (${bytes})`);
  return valid(witnessScript(version, program), network, { iswitness: true, witness_version: version, witness_program: hex });
}

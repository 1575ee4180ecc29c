/**
 * Transactions and scripts as bitcoind shows them in JSON (Bitcoin Core 28: core_read.cpp
 * DecodeHexTx, core_write.cpp TxToUniv / ScriptToUniv / ScriptToAsmStr / ValueFromAmount,
 * script/solver.cpp Solver, script/descriptor.cpp InferDescriptor and its checksum):
 *
 *   {"txid", "hash", "version", "size", "vsize", "weight", "locktime",
 *    "vin": [{"coinbase"} | {"txid", "vout", "scriptSig": {"asm", "hex"}}, "txinwitness"?, "sequence"],
 *    "vout": [{"value", "n", "scriptPubKey": {"asm", "desc", "hex", "address"?, "type"}}], "hex"?}
 *
 * Used by decoderawtransaction, getrawtransaction and getblock (verbosity 2). Amounts are written
 * as Core writes them (50.00000000). Descriptors are inferred without keys, as Core does with no
 * wallet: addr(…) for addresses, rawtr(…) for taproot outputs on the curve, pk(…)/multi(…) for
 * bare keys, raw(…) otherwise.
 */
import {
  bytesToHex,
  hexToBytes,
  parseTx,
  reverseBytes,
  scriptToAddress,
  serializeTx,
  sha256d,
  isCoinbase,
  type Coin,
  type Network,
  type Transaction,
} from '@otedama/core';
import { JsonNumberText } from './json-rpc.ts';

const OP_0 = 0x00;
const OP_PUSHDATA1 = 0x4c;
const OP_PUSHDATA2 = 0x4d;
const OP_PUSHDATA4 = 0x4e;
const OP_1NEGATE = 0x4f;
const OP_1 = 0x51;
const OP_16 = 0x60;
const OP_RETURN = 0x6a;
const OP_DUP = 0x76;
const OP_EQUAL = 0x87;
const OP_EQUALVERIFY = 0x88;
const OP_HASH160 = 0xa9;
const OP_CHECKSIG = 0xac;
const OP_CHECKMULTISIG = 0xae;
/** Highest opcode a script may hold to count as valid (Core's MAX_OPCODE, OP_CHECKSIGADD). */
const MAX_OPCODE = 0xba;
/** Core's limits: script size, pushed element size, keys in a bare multisig. */
const MAX_SCRIPT_SIZE = 10_000;
const MAX_SCRIPT_ELEMENT_SIZE = 520;
const MAX_PUBKEYS_PER_MULTISIG = 20;
/** BIP141 weight: non-witness bytes count four times. */
export const WITNESS_SCALE_FACTOR = 4;
const SATS_PER_BTC = 100_000_000n;

/** Opcode names from 0x61 (OP_NOP) on, in order (Core's GetOpName). */
const OP_NAMES_FROM_NOP = [
  'OP_NOP', 'OP_VER', 'OP_IF', 'OP_NOTIF', 'OP_VERIF', 'OP_VERNOTIF', 'OP_ELSE', 'OP_ENDIF', 'OP_VERIFY', 'OP_RETURN',
  'OP_TOALTSTACK', 'OP_FROMALTSTACK', 'OP_2DROP', 'OP_2DUP', 'OP_3DUP', 'OP_2OVER', 'OP_2ROT', 'OP_2SWAP', 'OP_IFDUP',
  'OP_DEPTH', 'OP_DROP', 'OP_DUP', 'OP_NIP', 'OP_OVER', 'OP_PICK', 'OP_ROLL', 'OP_ROT', 'OP_SWAP', 'OP_TUCK',
  'OP_CAT', 'OP_SUBSTR', 'OP_LEFT', 'OP_RIGHT', 'OP_SIZE',
  'OP_INVERT', 'OP_AND', 'OP_OR', 'OP_XOR', 'OP_EQUAL', 'OP_EQUALVERIFY', 'OP_RESERVED1', 'OP_RESERVED2',
  'OP_1ADD', 'OP_1SUB', 'OP_2MUL', 'OP_2DIV', 'OP_NEGATE', 'OP_ABS', 'OP_NOT', 'OP_0NOTEQUAL', 'OP_ADD', 'OP_SUB',
  'OP_MUL', 'OP_DIV', 'OP_MOD', 'OP_LSHIFT', 'OP_RSHIFT', 'OP_BOOLAND', 'OP_BOOLOR', 'OP_NUMEQUAL', 'OP_NUMEQUALVERIFY',
  'OP_NUMNOTEQUAL', 'OP_LESSTHAN', 'OP_GREATERTHAN', 'OP_LESSTHANOREQUAL', 'OP_GREATERTHANOREQUAL', 'OP_MIN', 'OP_MAX',
  'OP_WITHIN', 'OP_RIPEMD160', 'OP_SHA1', 'OP_SHA256', 'OP_HASH160', 'OP_HASH256', 'OP_CODESEPARATOR', 'OP_CHECKSIG',
  'OP_CHECKSIGVERIFY', 'OP_CHECKMULTISIG', 'OP_CHECKMULTISIGVERIFY', 'OP_NOP1', 'OP_CHECKLOCKTIMEVERIFY',
  'OP_CHECKSEQUENCEVERIFY', 'OP_NOP4', 'OP_NOP5', 'OP_NOP6', 'OP_NOP7', 'OP_NOP8', 'OP_NOP9', 'OP_NOP10', 'OP_CHECKSIGADD',
];

export function opName(op: number): string {
  if (op === OP_0) return '0';
  if (op === OP_PUSHDATA1) return 'OP_PUSHDATA1';
  if (op === OP_PUSHDATA2) return 'OP_PUSHDATA2';
  if (op === OP_PUSHDATA4) return 'OP_PUSHDATA4';
  if (op === OP_1NEGATE) return '-1';
  if (op === 0x50) return 'OP_RESERVED';
  if (op >= OP_1 && op <= OP_16) return String(op - OP_1 + 1);
  if (op >= 0x61 && op <= MAX_OPCODE) return OP_NAMES_FROM_NOP[op - 0x61]!;
  if (op === 0xff) return 'OP_INVALIDOPCODE';
  return 'OP_UNKNOWN';
}

interface ScriptOp {
  readonly op: number;
  /** Pushed bytes (empty for non-push opcodes). */
  readonly data: Uint8Array;
  /** Offset just past the operation. */
  readonly next: number;
}

/** Core's GetScriptOp: the operation at `pc`, or undefined when the script is cut short. */
function getOp(script: Uint8Array, pc: number): ScriptOp | undefined {
  if (pc >= script.length) return undefined;
  const op = script[pc++]!;
  if (op > OP_PUSHDATA4) return { op, data: new Uint8Array(0), next: pc };
  let size: number;
  if (op < OP_PUSHDATA1) size = op;
  else if (op === OP_PUSHDATA1) {
    if (script.length - pc < 1) return undefined;
    size = script[pc++]!;
  } else if (op === OP_PUSHDATA2) {
    if (script.length - pc < 2) return undefined;
    size = script[pc]! | (script[pc + 1]! << 8);
    pc += 2;
  } else {
    if (script.length - pc < 4) return undefined;
    size = (script[pc]! | (script[pc + 1]! << 8) | (script[pc + 2]! << 16) | (script[pc + 3]! << 24)) >>> 0;
    pc += 4;
  }
  if (script.length - pc < size) return undefined;
  return { op, data: script.subarray(pc, pc + size), next: pc + size };
}

/** CScriptNum(vch, false).getint() for pushes of at most 4 bytes. */
function scriptNum(data: Uint8Array): number {
  if (data.length === 0) return 0;
  let v = 0;
  for (let i = 0; i < data.length; i++) v += data[i]! * 2 ** (8 * i);
  const last = data[data.length - 1]!;
  if (last & 0x80) return -(v - 0x80 * 2 ** (8 * (data.length - 1)));
  return v;
}

/** BIP66 strict DER plus a defined sighash type (Core's CheckSignatureEncoding with STRICTENC). */
function isStrictSignature(sig: Uint8Array): boolean {
  if (sig.length < 9 || sig.length > 73) return false;
  if (sig[0] !== 0x30 || sig[1] !== sig.length - 3) return false;
  const lenR = sig[3]!;
  if (5 + lenR >= sig.length) return false;
  const lenS = sig[5 + lenR]!;
  if (lenR + lenS + 7 !== sig.length) return false;
  if (sig[2] !== 0x02 || lenR === 0 || sig[4]! & 0x80) return false;
  if (lenR > 1 && sig[4] === 0x00 && !(sig[5]! & 0x80)) return false;
  if (sig[lenR + 4] !== 0x02 || lenS === 0 || sig[lenR + 6]! & 0x80) return false;
  if (lenS > 1 && sig[lenR + 6] === 0x00 && !(sig[lenR + 7]! & 0x80)) return false;
  const hashType = sig[sig.length - 1]! & ~0x80;
  return hashType >= 1 && hashType <= 3;
}

const SIGHASH_NAMES: Record<number, string> = {
  0x01: 'ALL',
  0x81: 'ALL|ANYONECANPAY',
  0x02: 'NONE',
  0x82: 'NONE|ANYONECANPAY',
  0x03: 'SINGLE',
  0x83: 'SINGLE|ANYONECANPAY',
};

/** Core's ScriptToAsmStr; `sighashDecode` for scriptSigs turns a trailing sighash byte into [ALL] etc. */
export function scriptToAsm(script: Uint8Array, sighashDecode = false): string {
  const parts: string[] = [];
  const unspendable = (script.length > 0 && script[0] === OP_RETURN) || script.length > MAX_SCRIPT_SIZE;
  let pc = 0;
  while (pc < script.length) {
    const o = getOp(script, pc);
    if (!o) {
      parts.push('[error]');
      break;
    }
    pc = o.next;
    if (o.op <= OP_PUSHDATA4) {
      if (o.data.length <= 4) parts.push(String(scriptNum(o.data)));
      else if (sighashDecode && !unspendable && isStrictSignature(o.data) && SIGHASH_NAMES[o.data[o.data.length - 1]!]) {
        parts.push(`${bytesToHex(o.data.subarray(0, -1))}[${SIGHASH_NAMES[o.data[o.data.length - 1]!]}]`);
      } else parts.push(bytesToHex(o.data));
    } else parts.push(opName(o.op));
  }
  return parts.join(' ');
}

/** Core's CScript::HasValidOps: every operation parses, is a known opcode, pushes at most 520 bytes. */
function hasValidOps(script: Uint8Array): boolean {
  let pc = 0;
  while (pc < script.length) {
    const o = getOp(script, pc);
    if (!o || o.op > MAX_OPCODE || o.data.length > MAX_SCRIPT_ELEMENT_SIZE) return false;
    pc = o.next;
  }
  return true;
}

function isPushOnly(script: Uint8Array, from: number): boolean {
  let pc = from;
  while (pc < script.length) {
    const o = getOp(script, pc);
    if (!o || o.op > OP_16) return false;
    pc = o.next;
  }
  return true;
}

/** CPubKey::ValidSize: a 33-byte key starting 02/03 or a 65-byte key starting 04/06/07. */
function validPubkeySize(k: Uint8Array): boolean {
  if (k.length === 33) return k[0] === 0x02 || k[0] === 0x03;
  if (k.length === 65) return k[0] === 0x04 || k[0] === 0x06 || k[0] === 0x07;
  return false;
}

/** Core's CheckMinimalPush for a push opcode and its data. */
function minimalPush(data: Uint8Array, op: number): boolean {
  if (data.length === 0) return op === OP_0;
  if (data.length === 1 && data[0]! >= 1 && data[0]! <= 16) return false;
  if (data.length === 1 && data[0] === 0x81) return false;
  if (data.length <= 75) return op === data.length;
  if (data.length <= 255) return op === OP_PUSHDATA1;
  if (data.length <= 65535) return op === OP_PUSHDATA2;
  return true;
}

/** Solver's GetScriptNumber: OP_1..OP_16 or a minimal push of a number in [min, max]. */
function smallNumber(o: ScriptOp, min: number, max: number): number | undefined {
  let n: number;
  if (o.op >= OP_1 && o.op <= OP_16) n = o.op - OP_1 + 1;
  else if (o.op > OP_0 && o.op <= OP_PUSHDATA4) {
    if (!minimalPush(o.data, o.op) || o.data.length > 4) return undefined;
    const last = o.data[o.data.length - 1];
    if (last !== undefined && (last & 0x7f) === 0 && (o.data.length <= 1 || (o.data[o.data.length - 2]! & 0x80) === 0)) return undefined;
    n = scriptNum(o.data);
  } else return undefined;
  return n < min || n > max ? undefined : n;
}

export type OutputType =
  | 'nonstandard'
  | 'anchor'
  | 'pubkey'
  | 'pubkeyhash'
  | 'scripthash'
  | 'multisig'
  | 'nulldata'
  | 'witness_v0_keyhash'
  | 'witness_v0_scripthash'
  | 'witness_v1_taproot'
  | 'witness_unknown';

interface Solution {
  readonly type: OutputType;
  /** Public keys (pubkey, multisig) or the x-only key (taproot). */
  readonly keys: Uint8Array[];
  readonly required?: number;
}

function witnessProgram(script: Uint8Array): { version: number; program: Uint8Array } | undefined {
  if (script.length < 4 || script.length > 42) return undefined;
  const op = script[0]!;
  if (op !== OP_0 && (op < OP_1 || op > OP_16)) return undefined;
  if (script[1]! + 2 !== script.length) return undefined;
  return { version: op === OP_0 ? 0 : op - OP_1 + 1, program: script.subarray(2) };
}

/** Core's Solver: the standard type of an output script. */
export function solve(script: Uint8Array): Solution {
  const n = script.length;
  if (n === 23 && script[0] === OP_HASH160 && script[1] === 20 && script[22] === OP_EQUAL) return { type: 'scripthash', keys: [] };
  const w = witnessProgram(script);
  if (w) {
    if (w.version === 0 && w.program.length === 20) return { type: 'witness_v0_keyhash', keys: [] };
    if (w.version === 0 && w.program.length === 32) return { type: 'witness_v0_scripthash', keys: [] };
    if (w.version === 1 && w.program.length === 32) return { type: 'witness_v1_taproot', keys: [w.program] };
    if (w.version === 1 && w.program.length === 2 && w.program[0] === 0x4e && w.program[1] === 0x73) return { type: 'anchor', keys: [] };
    return { type: w.version !== 0 ? 'witness_unknown' : 'nonstandard', keys: [] };
  }
  if (n >= 1 && script[0] === OP_RETURN && isPushOnly(script, 1)) return { type: 'nulldata', keys: [] };
  if ((n === 67 || n === 35) && script[0] === n - 2 && script[n - 1] === OP_CHECKSIG) {
    const key = script.subarray(1, n - 1);
    if (validPubkeySize(key)) return { type: 'pubkey', keys: [key] };
  }
  if (n === 25 && script[0] === OP_DUP && script[1] === OP_HASH160 && script[2] === 20 && script[23] === OP_EQUALVERIFY && script[24] === OP_CHECKSIG) {
    return { type: 'pubkeyhash', keys: [] };
  }
  if (n >= 1 && script[n - 1] === OP_CHECKMULTISIG) {
    const first = getOp(script, 0);
    const required = first && smallNumber(first, 1, MAX_PUBKEYS_PER_MULTISIG);
    if (first && required !== undefined) {
      const keys: Uint8Array[] = [];
      let o = getOp(script, first.next);
      while (o && validPubkeySize(o.data)) {
        keys.push(o.data);
        o = getOp(script, o.next);
      }
      const count = o && smallNumber(o, required, MAX_PUBKEYS_PER_MULTISIG);
      if (o && count !== undefined && keys.length === count && o.next + 1 === n) return { type: 'multisig', keys, required };
    }
  }
  return { type: 'nonstandard', keys: [] };
}

// ---------------------------------------------------------------------------------------------
// Descriptors (BIP380 checksum; InferDescriptor without a wallet)

const DESC_INPUT_CHARSET = "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ";
const DESC_CHECKSUM_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const DESC_GENERATOR = [0xf5dee51989n, 0xa9fdca3312n, 0x1bab10e32dn, 0x3706b1677an, 0x644d626ffdn];

function descPolymod(c: bigint, v: number): bigint {
  const top = c >> 35n;
  c = ((c & 0x7ffffffffn) << 5n) ^ BigInt(v);
  for (let i = 0; i < 5; i++) if ((top >> BigInt(i)) & 1n) c ^= DESC_GENERATOR[i]!;
  return c;
}

/** BIP380's 8-character checksum of a descriptor. */
export function descriptorChecksum(desc: string): string {
  let c = 1n;
  let cls = 0;
  let clsCount = 0;
  for (const ch of desc) {
    const pos = DESC_INPUT_CHARSET.indexOf(ch);
    if (pos < 0) throw new RangeError(`descriptor character ${JSON.stringify(ch)} has no checksum symbol`);
    c = descPolymod(c, pos & 31);
    cls = cls * 3 + (pos >> 5);
    if (++clsCount === 3) {
      c = descPolymod(c, cls);
      cls = 0;
      clsCount = 0;
    }
  }
  if (clsCount > 0) c = descPolymod(c, cls);
  for (let j = 0; j < 8; j++) c = descPolymod(c, 0);
  c ^= 1n;
  let out = '';
  for (let j = 0; j < 8; j++) out += DESC_CHECKSUM_CHARSET[Number((c >> BigInt(5 * (7 - j))) & 31n)];
  return out;
}

/** secp256k1's field prime. */
const SECP256K1_P = 2n ** 256n - 2n ** 32n - 977n;

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
  }
  return r;
}

/** XOnlyPubKey::IsFullyValid: x is a field element with a point on the curve above it. */
function isXOnlyOnCurve(x: Uint8Array): boolean {
  const v = BigInt(`0x${bytesToHex(x)}`);
  if (v >= SECP256K1_P) return false;
  const rhs = (modPow(v, 3n, SECP256K1_P) + 7n) % SECP256K1_P;
  return rhs === 0n || modPow(rhs, (SECP256K1_P - 1n) / 2n, SECP256K1_P) === 1n;
}

/** CPubKey::IsValidNonHybrid: compressed or uncompressed, not hybrid (06/07). */
function nonHybrid(k: Uint8Array): boolean {
  return (k.length === 33 && (k[0] === 0x02 || k[0] === 0x03)) || (k.length === 65 && k[0] === 0x04);
}

function inferDescriptorBody(script: Uint8Array, network: Network, s: Solution, coin: Coin): string {
  if (s.type === 'pubkey' && nonHybrid(s.keys[0]!)) return `pk(${bytesToHex(s.keys[0]!)})`;
  if (s.type === 'multisig' && s.keys.every(nonHybrid)) return `multi(${s.required},${s.keys.map(bytesToHex).join(',')})`;
  if (s.type === 'witness_v1_taproot' && isXOnlyOnCurve(s.keys[0]!)) return `rawtr(${bytesToHex(s.keys[0]!)})`;
  const address = extractAddress(script, network, s, coin);
  if (address) return `addr(${address})`;
  return `raw(${bytesToHex(script)})`;
}

/** Core's InferDescriptor(script, no keys)->ToString(), with its checksum. */
export function inferDescriptor(script: Uint8Array, network: Network, coin: Coin = 'bitcoin'): string {
  const body = inferDescriptorBody(script, network, solve(script), coin);
  return `${body}#${descriptorChecksum(body)}`;
}

/** Core's ExtractDestination for the types that have an address (not bare keys or multisig). */
function extractAddress(script: Uint8Array, network: Network, s: Solution, coin: Coin): string | undefined {
  switch (s.type) {
    case 'pubkeyhash':
    case 'scripthash':
    case 'witness_v0_keyhash':
    case 'witness_v0_scripthash':
    case 'witness_v1_taproot':
    case 'anchor':
    case 'witness_unknown':
      return scriptToAddress(script, network, coin);
    default:
      return undefined;
  }
}

/** Core's ScriptToUniv with hex and address: {"asm", "desc", "hex", "address"?, "type"}. */
export function scriptPubKeyJson(script: Uint8Array, network: Network, coin: Coin = 'bitcoin'): Record<string, unknown> {
  const s = solve(script);
  const address = extractAddress(script, network, s, coin);
  return {
    asm: scriptToAsm(script),
    desc: inferDescriptor(script, network, coin),
    hex: bytesToHex(script),
    ...(address !== undefined ? { address } : {}),
    type: s.type,
  };
}

/** Core's ValueFromAmount: satoshis as a JSON number with eight decimals. */
export function amountJson(sats: bigint): JsonNumberText {
  const neg = sats < 0n;
  const abs = neg ? -sats : sats;
  return new JsonNumberText(`${neg ? '-' : ''}${abs / SATS_PER_BTC}.${(abs % SATS_PER_BTC).toString().padStart(8, '0')}`);
}

// ---------------------------------------------------------------------------------------------
// Transactions

/** Core's CheckTxScriptsSanity: used to choose between the witness and legacy readings. */
function scriptsSane(tx: Transaction): boolean {
  if (!isCoinbase(tx)) {
    for (const i of tx.inputs) if (!hasValidOps(i.script) || i.script.length > MAX_SCRIPT_SIZE) return false;
  }
  for (const o of tx.outputs) if (!hasValidOps(o.script) || o.script.length > MAX_SCRIPT_SIZE) return false;
  return true;
}

/**
 * Core's DecodeHexTx: reads the hex with witness data and without (as `iswitness` allows),
 * keeps readings that use every byte, prefers one whose scripts parse, then the witness one.
 * Undefined when neither reading works (the caller answers -22 "TX decode failed").
 */
export function decodeHexTx(hex: string, iswitness?: boolean): Transaction | undefined {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const bytes = hexToBytes(hex);
  const attempt = (witness: boolean): Transaction | undefined => {
    try {
      return parseTx(bytes, { witness }).tx;
    } catch {
      return undefined;
    }
  };
  const extended = iswitness === false ? undefined : attempt(true);
  if (extended && scriptsSane(extended)) return extended;
  const legacy = iswitness === true ? undefined : attempt(false);
  if (legacy && scriptsSane(legacy)) return legacy;
  return extended ?? legacy;
}

export interface TxJsonOptions {
  /** Add "hex" (getrawtransaction, getblock verbosity 2). */
  readonly includeHex?: boolean;
  /** Whose address formats the outputs are shown in (default bitcoin). */
  readonly coin?: Coin;
}

/** Core's TxToUniv without undo data (no fee): bitcoind's JSON for a transaction. */
export function txToJson(tx: Transaction, network: Network, options: TxJsonOptions = {}): Record<string, unknown> {
  const full = serializeTx(tx);
  const stripped = serializeTx(tx, { witness: false });
  const weight = stripped.length * (WITNESS_SCALE_FACTOR - 1) + full.length;
  const coinbase = isCoinbase(tx);
  return {
    txid: bytesToHex(reverseBytes(sha256d(stripped))),
    hash: bytesToHex(reverseBytes(sha256d(full))),
    version: tx.version,
    size: full.length,
    vsize: Math.ceil(weight / WITNESS_SCALE_FACTOR),
    weight,
    locktime: tx.lockTime,
    vin: tx.inputs.map((i) => ({
      ...(coinbase
        ? { coinbase: bytesToHex(i.script) }
        : {
            txid: bytesToHex(reverseBytes(i.prevTxid)),
            vout: i.prevIndex,
            scriptSig: { asm: scriptToAsm(i.script, true), hex: bytesToHex(i.script) },
          }),
      ...(i.witness.length ? { txinwitness: i.witness.map(bytesToHex) } : {}),
      sequence: i.sequence,
    })),
    vout: tx.outputs.map((o, n) => ({ value: amountJson(o.value), n, scriptPubKey: scriptPubKeyJson(o.script, network, options.coin) })),
    ...(options.includeHex ? { hex: bytesToHex(full) } : {}),
  };
}

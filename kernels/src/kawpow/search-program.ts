/**
 * The WGSL text of a KawPow period's search kernel: what an `override` constant cannot express.
 *
 * - `progpow_round`: the period's program (core's `progpowProgram`, the same generator the WASM
 *   engine and the TypeScript reference run) written out operation by operation, with the
 *   registers, math and merge operations and rotations as literals in the code, as ProgPoW's
 *   own CUDA/OpenCL kernels are generated per period.
 * - The DAG bindings: one `var<storage>` per DAG buffer (WGSL has no binding arrays) and
 *   `dag_load`, which picks the binding from the item index.
 *
 * Everything else is search.wgsl (and keccak-wgsl.ts), specialised with override constants.
 */
import {
  PROGPOW_CACHE_WORDS,
  PROGPOW_MATH_OPS,
  PROGPOW_MERGE_OPS,
  type ProgpowMathOp,
  type ProgpowMergeOp,
  type ProgpowOp,
  type ProgpowProgram,
} from '@otedama/core';
import { KernelOptionError } from '../errors.ts';
import { MAX_DAG_BINDINGS } from './device.ts';
import { KECCAK_WGSL } from './keccak-wgsl.ts';
import SEARCH_WGSL from './search.wgsl?raw';

/** Binding number of the first DAG buffer (0 is the params uniform, 1 the hit list). */
export const FIRST_DAG_BINDING = 2;

const reg = (r: number): string => `(*m).r${r}`;

const MATH_WGSL: Record<ProgpowMathOp, (a: string, b: string) => string> = {
  add: (a, b) => `${a} + ${b}`,
  mul: (a, b) => `${a} * ${b}`,
  mul_hi: (a, b) => `mul_hi(${a}, ${b})`,
  min: (a, b) => `min(${a}, ${b})`,
  rotl: (a, b) => `rotl32(${a}, ${b})`,
  rotr: (a, b) => `rotr32(${a}, ${b})`,
  and: (a, b) => `${a} & ${b}`,
  or: (a, b) => `${a} | ${b}`,
  xor: (a, b) => `${a} ^ ${b}`,
  clz_sum: (a, b) => `countLeadingZeros(${a}) + countLeadingZeros(${b})`,
  popcount_sum: (a, b) => `countOneBits(${a}) + countOneBits(${b})`,
};

const MERGE_WGSL: Record<ProgpowMergeOp, (a: string, b: string, rotate: number) => string> = {
  mul33_add: (a, b) => `(${a} * 33u) + ${b}`,
  xor_mul33: (a, b) => `(${a} ^ ${b}) * 33u`,
  rotl_xor: (a, b, n) => `rotl32(${a}, ${n}u) ^ ${b}`,
  rotr_xor: (a, b, n) => `rotr32(${a}, ${n}u) ^ ${b}`,
};

const DAG_WORD = ['x', 'y', 'z', 'w'] as const;

function checkRegister(r: number): number {
  if (!Number.isInteger(r) || r < 0 || r > 31) throw new KernelOptionError(`a ProgPoW register must be 0..31 (got ${r})`);
  return r;
}

function lookup<T>(table: readonly T[], index: number, what: string): T {
  const value = table[index];
  if (value === undefined) throw new KernelOptionError(`unknown ProgPoW ${what} ${index}`);
  return value;
}

/** One operation as a WGSL statement. */
function opWgsl(op: ProgpowOp): string {
  const dst = reg(checkRegister(op.dst));
  let data: string;
  let comment: string;
  switch (op.kind) {
    case 'cache':
      data = `l1_word(${reg(checkRegister(op.src))} % ${PROGPOW_CACHE_WORDS}u)`;
      comment = `cache r${op.src}`;
      break;
    case 'math': {
      const name = lookup(PROGPOW_MATH_OPS, op.mathOp, 'math op');
      data = `(${MATH_WGSL[name](reg(checkRegister(op.src1)), reg(checkRegister(op.src2)))})`;
      comment = `math ${name} r${op.src1} r${op.src2}`;
      break;
    }
    case 'dag':
      data = `data.${lookup(DAG_WORD, op.word, 'DAG word')}`;
      comment = `dag word ${op.word}`;
      break;
  }
  const merge = lookup(PROGPOW_MERGE_OPS, op.mergeOp, 'merge op');
  if (!Number.isInteger(op.rotate) || op.rotate < 1 || op.rotate > 31) throw new KernelOptionError(`a merge rotation must be 1..31 (got ${op.rotate})`);
  return `  ${dst} = ${MERGE_WGSL[merge](dst, data, op.rotate)}; // ${comment} -> r${op.dst}, ${merge}`;
}

/**
 * `random_math(a, b, selector)`: ProgPoW's random math with the operation picked at run time,
 * from the same snippets the generated rounds inline (for checking them against the published
 * random-math table; a search never calls it).
 */
export function randomMathWgsl(): string {
  const cases = PROGPOW_MATH_OPS.map((name, i) => `    case ${i}u: { return ${MATH_WGSL[name]('a', 'b')}; }`);
  return ['fn random_math(a: u32, b: u32, selector: u32) -> u32 {', `  switch (selector % ${PROGPOW_MATH_OPS.length}u) {`, ...cases, '    default: { return 0u; }', '  }', '}'].join('\n');
}

/** `progpow_round`: one round of `program` on one lane's registers, `data` its 4 DAG words. */
export function progpowRoundWgsl(program: ProgpowProgram): string {
  return [
    `// ProgPoW period ${program.period}: ${program.ops.length} operations per round.`,
    'fn progpow_round(m: ptr<function, Regs>, data: vec4<u32>) {',
    ...program.ops.map(opWgsl),
    '}',
  ].join('\n');
}

/**
 * The DAG bindings and their accessors for a DAG split into `bindings` buffers of
 * DAG_ITEMS_PER_BINDING 2048-bit items each (the last may hold fewer).
 */
export function dagBindingsWgsl(bindings: number): string {
  if (!Number.isInteger(bindings) || bindings < 1 || bindings > MAX_DAG_BINDINGS) {
    throw new KernelOptionError(`a DAG takes 1..${MAX_DAG_BINDINGS} bindings (got ${bindings})`);
  }
  const lines = Array.from({ length: bindings }, (_, b) => `@group(0) @binding(${FIRST_DAG_BINDING + b}) var<storage, read> dag${b}: array<vec4<u32>>;`);
  lines.push(
    '',
    '/** The L1 cache is the first 16 KiB of the DAG, in the first binding. */',
    'fn dag_l1_vec4(i: u32) -> vec4<u32> {',
    '  return dag0[i];',
    '}',
    'fn dag_l1_word(i: u32) -> u32 {',
    '  return dag0[i / 4u][i % 4u];',
    '}',
    '',
    '/** Lane words (chunk * 4 ..) of 2048-bit DAG item `item`: 16 vec4 per item. */',
    'fn dag_load(item: u32, chunk: u32) -> vec4<u32> {',
  );
  if (bindings === 1) {
    lines.push('  return dag0[item * 16u + chunk];');
  } else {
    lines.push('  let b = item / DAG_ITEMS_PER_BINDING;', '  let i = (item - b * DAG_ITEMS_PER_BINDING) * 16u + chunk;');
    for (let b = 0; b < bindings - 1; b++) lines.push(`  if (b == ${b}u) { return dag${b}[i]; }`);
    lines.push(`  return dag${bindings - 1}[i];`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** The whole search module for one period and DAG binding count. */
export function kawpowSearchWgsl(program: ProgpowProgram, bindings: number): string {
  return [KECCAK_WGSL, SEARCH_WGSL, dagBindingsWgsl(bindings), progpowRoundWgsl(program), ''].join('\n');
}

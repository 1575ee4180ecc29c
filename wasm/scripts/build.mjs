#!/usr/bin/env node
// Builds the AssemblyScript hashers into wasm/build/ (git-ignored; the bootstrap rebuilds it
// when wasm/assembly or this file is newer):
//
//   sha256d.wasm        scalar build, no SIMD: runs on every WebAssembly engine
//   sha256d.simd.wasm   SIMD build (--enable simd): four nonces per kernel iteration
//   kawpow.wasm         KawPow light cache, dataset items and ProgPoW hash, scalar
//   kawpow.simd.wasm    the same with i32x4 FNV in dataset items (about 2.5x faster light
//                       evaluation in Node 22 on this machine: see wasm/README.md)
//
// All: -O3 (optimize level 3, shrink level 0), the stub runtime (the kernels never allocate)
// and --noAssert. The modules import nothing and export their memory (KawPow's host grows it
// once per epoch to fit the light cache).
// Usage: node wasm/scripts/build.mjs [--wat]   (--wat also writes the text format beside each)
import asc from 'assemblyscript/asc';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const WASM_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
const OUT_DIR = join(WASM_DIR, 'build');
const COMMON_FLAGS = ['--optimizeLevel', '3', '--shrinkLevel', '0', '--runtime', 'stub', '--noAssert'];

const TARGETS = [
  { entry: 'assembly/sha256d/index.ts', out: 'sha256d.wasm', flags: [] },
  { entry: 'assembly/sha256d/index.simd.ts', out: 'sha256d.simd.wasm', flags: ['--enable', 'simd'] },
  { entry: 'assembly/kawpow/index.ts', out: 'kawpow.wasm', flags: [] },
  { entry: 'assembly/kawpow/index.simd.ts', out: 'kawpow.simd.wasm', flags: ['--enable', 'simd'] },
];

const withWat = process.argv.includes('--wat');
mkdirSync(OUT_DIR, { recursive: true });

let failed = false;
for (const target of TARGETS) {
  const started = performance.now();
  const outFile = join(OUT_DIR, target.out);
  const args = [join(WASM_DIR, target.entry), ...COMMON_FLAGS, ...target.flags, '--outFile', outFile];
  if (withWat) args.push('--textFile', outFile.replace(/\.wasm$/, '.wat'));
  const { error, stderr } = await asc.main(args);
  if (error) {
    process.stderr.write(`wasm build: ${target.entry} failed: ${error.message}\n${stderr.toString()}`);
    failed = true;
    continue;
  }
  const ms = Math.round(performance.now() - started);
  process.stdout.write(`wasm build: wrote ${relative(process.cwd(), outFile)} (${statSync(outFile).size} bytes, ${ms} ms)\n`);
}
process.exit(failed ? 1 : 0);

#!/usr/bin/env node
// Summarises V8 CPU profiles (.cpuprofile: Node's --cpu-prof, Chromium's Profiler.stop): self time
// by function and by package, and the long busy stretches (the thread never idle for --block-ms
// or more: what held an event loop) with what ran in them.
//
//   node scripts/cpuprofile-summary.mjs FILE... [--top 25] [--block-ms 50] [--json]
//
// A package is the node_modules folder a function's script lives in (scoped: @scope/name);
// Otedama's own code is named by workspace (core, edge, web); V8's pseudo-frames keep their
// names: (idle) the thread waited, (program) native code outside JS, (garbage collector).
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v) || v <= 0) fail(`--${name} must be a positive number (got ${args[i + 1]})`);
  args.splice(i, 2);
  return v;
};
function fail(message) {
  process.stderr.write(`cpuprofile-summary: ${message}\n`);
  process.exit(2);
}
const TOP = opt('top', 25);
const BLOCK_MS = opt('block-ms', 50);
const asJson = args.includes('--json');
const files = args.filter((a) => a !== '--json');
if (!files.length) fail('usage: node scripts/cpuprofile-summary.mjs FILE... [--top 25] [--block-ms 50] [--json]');

const PSEUDO = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** The package a script URL belongs to. */
function packageOf(url) {
  if (!url) return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node';
  const ws = /\/(core|edge|kernels|wasm|apps\/web|apps\/widget|apps\/rig)\/(src|bench|e2e-p2p)\//.exec(url);
  if (ws) return `otedama ${ws[1]}`;
  // Vite's bundles of the web app: chunk names say little; the page's own code and its dependencies are mixed.
  if (/\/assets\/[^/]+\.js/.test(url)) return `bundle ${url.split('/').pop().replace(/-[\w-]{8}\.js$/, '.js')}`;
  return url.split('/').slice(-2).join('/');
}

function summarise(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n) => {
    const f = n.callFrame;
    if (PSEUDO.has(f.functionName)) return f.functionName;
    const where = f.url ? `${f.url.split('/').slice(-1)[0]}:${f.lineNumber + 1}` : 'native';
    return `${f.functionName || '(anonymous)'} ${where}`;
  };
  const pkg = (n) => (PSEUDO.has(n.callFrame.functionName) ? n.callFrame.functionName : packageOf(n.callFrame.url));
  // The outermost JS frame of a sample's stack below (root): what the event loop ran.
  const task = (id) => {
    let n = nodes.get(id);
    let last = n;
    while (n && n.callFrame.functionName !== '(root)') {
      last = n;
      n = nodes.get(parent.get(n.id));
    }
    return last ? label(last) : '?';
  };
  const byFunction = new Map();
  const byPackage = new Map();
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  let idle = 0;
  const blocks = [];
  let run;
  const close = () => {
    if (run && run.ms >= BLOCK_MS) blocks.push(run);
    run = undefined;
  };
  for (let i = 0; i < profile.samples.length; i++) {
    // A sample's time is the delta to the next one (the last sample gets the mean).
    const ms = ((deltas[i + 1] ?? total / Math.max(1, i)) || 0) / 1000;
    const n = nodes.get(profile.samples[i]);
    total += ms;
    const l = label(n);
    byFunction.set(l, (byFunction.get(l) ?? 0) + ms);
    byPackage.set(pkg(n), (byPackage.get(pkg(n)) ?? 0) + ms);
    if (n.callFrame.functionName === '(idle)') {
      idle += ms;
      close();
      continue;
    }
    run ??= { startMs: total - ms, ms: 0, self: new Map(), tasks: new Map() };
    run.ms += ms;
    run.self.set(l, (run.self.get(l) ?? 0) + ms);
    const t = task(n.id);
    run.tasks.set(t, (run.tasks.get(t) ?? 0) + ms);
  }
  close();
  const top = (m, k = TOP) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, ms]) => ({ name, ms: Math.round(ms), pct: Math.round((ms / total) * 1000) / 10 }));
  const busy = total - idle;
  blocks.sort((a, b) => b.ms - a.ms);
  return {
    file,
    seconds: Math.round(total) / 1000,
    busyPct: Math.round((busy / total) * 1000) / 10,
    byPackage: top(byPackage, 40),
    byFunction: top(byFunction),
    longBlocks: {
      thresholdMs: BLOCK_MS,
      count: blocks.length,
      totalMs: Math.round(blocks.reduce((s, b) => s + b.ms, 0)),
      longest: blocks.slice(0, 8).map((b) => ({ atMs: Math.round(b.startMs), ms: Math.round(b.ms), self: top(b.self, 6).map((x) => `${x.name} ${x.ms} ms`), tasks: top(b.tasks, 4).map((x) => `${x.name} ${x.ms} ms`) })),
    },
  };
}

const out = files.map(summarise);
if (asJson) {
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} else {
  for (const s of out) {
    process.stdout.write(`\n${s.file}: ${s.seconds} s sampled, busy ${s.busyPct} %\n  self time by package:\n`);
    for (const p of s.byPackage) process.stdout.write(`    ${String(p.ms).padStart(7)} ms ${String(p.pct).padStart(5)} %  ${p.name}\n`);
    process.stdout.write('  self time by function:\n');
    for (const f of s.byFunction) process.stdout.write(`    ${String(f.ms).padStart(7)} ms ${String(f.pct).padStart(5)} %  ${f.name}\n`);
    process.stdout.write(`  busy stretches of ${s.longBlocks.thresholdMs} ms or more: ${s.longBlocks.count}, ${s.longBlocks.totalMs} ms in all\n`);
    for (const b of s.longBlocks.longest) process.stdout.write(`    at ${b.atMs} ms, ${b.ms} ms: ${b.self.join('; ')}\n      tasks: ${b.tasks.join('; ')}\n`);
  }
}

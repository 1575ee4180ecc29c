#!/usr/bin/env node
// `npm test` after bootstrap: typecheck every workspace, run the unit tests (Vitest), then the
// browser tests (Playwright + Debian Chromium), and print one closing summary line.
// Runs under Node 22 with node_modules/.bin on PATH (scripts/bootstrap.mjs sets that up).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const only = new Set(args.filter((a) => !a.startsWith('-')));
const want = (step) => only.size === 0 || only.has(step);

const WORKSPACES = ['core', 'wasm', 'kernels', 'edge', 'apps/web', 'apps/widget', 'apps/rig'];
/** Every tsconfig*.json of every workspace (browser, Node and test code each have their own). */
const TSCONFIGS = WORKSPACES.flatMap((ws) =>
  existsSync(join(ROOT, ws))
    ? readdirSync(join(ROOT, ws)).filter((f) => /^tsconfig(\.[\w-]+)?\.json$/.test(f)).sort().map((f) => `${ws}/${f}`)
    : [],
);

function step(title) {
  process.stdout.write(`\n=== ${title} ===\n`);
}

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', cwd: ROOT, env: process.env });
  return r.status ?? 1;
}

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
/** Each failed test, named with its file and first error line: the summary's tail names them. */
const failedTests = [];

/** The first line of an error message, trimmed (ANSI colours stripped) for the closing list. */
function firstLine(message) {
  const text = String(message ?? '').replace(/\x1b\[[0-9;]*m/g, '').trim();
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** Vitest's JSON report: failed tests, and files that failed outside any test (a hook, an import). */
function vitestFailures(report) {
  const out = [];
  for (const file of report.testResults ?? []) {
    const name = String(file.name ?? '').startsWith(ROOT) ? file.name.slice(ROOT.length + 1) : file.name;
    const failedHere = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of failedHere) out.push(`vitest ${name} › ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`);
    if (failedHere.length === 0 && file.status === 'failed') out.push(`vitest ${name}: ${firstLine(file.message)}`);
  }
  return out;
}

/** Playwright's JSON report: each test whose outcome was unexpected (failed on every retry). */
function playwrightFailures(report) {
  const out = [];
  const walk = (suite, file) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status !== 'unexpected') continue;
        const last = test.results?.[test.results.length - 1];
        out.push(`playwright [${test.projectName}] ${spec.file ?? file} › ${spec.title}: ${firstLine(last?.error?.message ?? last?.errors?.[0]?.message)}`);
      }
    }
    for (const child of suite.suites ?? []) walk(child, suite.file ?? file);
  };
  for (const suite of report.suites ?? []) walk(suite, suite.file);
  return out;
}
mkdirSync(join(ROOT, 'test-results'), { recursive: true });

if (want('typecheck')) {
  step('typecheck');
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const cfg of TSCONFIGS) {
    if (!existsSync(join(ROOT, cfg))) continue;
    const status = run(process.execPath, [tsc, '-p', cfg, '--noEmit']);
    if (status === 0) {
      passed++;
      process.stdout.write(`typecheck ${cfg}: ok\n`);
    } else {
      failed++;
      failures.push(`typecheck ${cfg}`);
    }
  }
}

if (want('unit')) {
  step('unit tests (vitest)');
  const out = join(ROOT, 'test-results', 'vitest.json');
  rmSync(out, { force: true });
  const status = run(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`]);
  if (existsSync(out)) {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    failedTests.push(...vitestFailures(report));
    if (status !== 0 && (report.numFailedTests ?? 0) === 0) {
      failed++;
      failures.push('vitest exited non-zero (a suite failed to load?)');
    }
  } else if (status !== 0) {
    failed++;
    failures.push('vitest');
  }
}

/** Size budgets of what runs before consent: [title, script under the root, failure label]. */
const BUDGETS = [
  ['budget: JS the web app loads before Start (at most 100 KB gzipped)', 'apps/web/scripts/check-budget.mjs', 'budget: JS before Start'],
  ["budget: what the widget runs before the visitor's click (at most 10 KB gzipped, no miner code)", 'apps/widget/scripts/check-budget.mjs', 'budget: widget before consent'],
];

if (want('budget')) {
  for (const [title, script, label] of BUDGETS) {
    step(title);
    if (run(process.execPath, [join(ROOT, script)]) === 0) passed++;
    else {
      failed++;
      failures.push(label);
    }
  }
}

/** Runs a Playwright command and counts its JSON report (`out`); `label` names the step's failures. */
function playwrightStep(label, cmdArgs, out, failedToStart) {
  rmSync(out, { force: true });
  const status = run(process.execPath, cmdArgs);
  if (existsSync(out)) {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    const stats = report.stats ?? {};
    failedTests.push(...playwrightFailures(report));
    passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
    failed += stats.unexpected ?? 0;
    skipped += stats.skipped ?? 0;
    if (status !== 0 && (stats.unexpected ?? 0) === 0) {
      failed++;
      failures.push(`${label} exited non-zero`);
    }
  } else if (status !== 0) {
    failed++;
    failures.push(failedToStart);
  }
}

if (want('e2e')) {
  step('browser tests (playwright, chromium)');
  playwrightStep('playwright', [join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js'), 'test'], join(ROOT, 'test-results', 'playwright.json'), 'playwright');
}

// The browser-peer proof (issue 11) runs in a network namespace it creates (root; CI runs as
// root): two edges and Chromium pages over WebRTC. Its own command is `npm run test:p2p` (or
// `npm test -- p2p`); OTEDAMA_TEST_P2P=0 leaves it out of a full run (a machine without root).
if (want('p2p') && process.env.OTEDAMA_TEST_P2P !== '0') {
  step('browser-peer tests (playwright project p2p, inside a network namespace: scripts/p2p-netns.mjs)');
  // The namespace needs root; p2p-netns.mjs fails with the reason (exit 2) rather than skipping.
  playwrightStep(
    'p2p: playwright (not root? see above)',
    [join(ROOT, 'scripts', 'p2p-netns.mjs')],
    join(ROOT, 'test-results', 'playwright-p2p.json'),
    'p2p: the network namespace could not be created (not root?) or playwright failed to start',
  );
}

process.stdout.write('\n');
if (failedTests.length) process.stdout.write(`failed tests:\n${failedTests.map((t) => `  ${t}`).join('\n')}\n`);
if (failures.length) process.stdout.write(`failing steps: ${failures.join('; ')}\n`);
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed > 0 ? 1 : 0);

#!/usr/bin/env node
// Runs a command inside a private network namespace made for the browser-peer tests: `lo` up and
// one veth pair with two private addresses (P2P_NETNS_ADDRESSES), both inside the namespace only.
// WebRTC needs a non-loopback interface to gather ICE candidates (reference: the machine notes);
// nothing started inside can be reached from outside, and nothing inside reaches out.
//
//   node scripts/p2p-netns.mjs                       # the Playwright project `p2p`
//   node scripts/p2p-netns.mjs -- <command> [args]   # any command (benchmarks: bench/p2p-browser.ts)
//   node scripts/p2p-netns.mjs --grep consent        # extra arguments go to `playwright test`
//
// Creating a namespace needs root (CI runs as root). Without it this fails with a clear message:
// the tests are not skipped.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
/** The two ends of the veth pair: edges listen on these, Chromium gathers its ICE candidates on them. */
export const P2P_NETNS_ADDRESSES = ['10.99.0.1', '10.99.0.2'];
const PREFIX = 24;

function fail(message) {
  process.stderr.write(`p2p-netns: ${message}\n`);
  process.exit(2);
}

if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
  fail('the browser-peer tests run in a network namespace of their own, and creating one needs root. Run as root (CI does), e.g. `sudo env PATH="$PATH" node scripts/p2p-netns.mjs`.');
}
for (const tool of ['unshare', 'ip']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) fail(`\`${tool}\` is missing (Debian: apt-get install -y util-linux iproute2)`);
}

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const command =
  dash >= 0
    ? argv.slice(dash + 1)
    : [process.execPath, join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js'), 'test', '--project=p2p', ...argv];
if (command.length === 0) fail('nothing to run after --');

const [a, b] = P2P_NETNS_ADDRESSES;
const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
const setup = [
  'set -e',
  'ip link set lo up',
  'ip link add otd0 type veth peer name otd1',
  `ip addr add ${a}/${PREFIX} dev otd0`,
  `ip addr add ${b}/${PREFIX} dev otd1`,
  'ip link set otd0 up',
  'ip link set otd1 up',
  // Chromium gathers host candidates only with a default route; it leads into the pair, nowhere else.
  'ip route add default dev otd0',
  `exec ${command.map(quote).join(' ')}`,
].join('\n');

const r = spawnSync('unshare', ['--net', '--', 'sh', '-c', setup], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, OTEDAMA_P2P_NETNS: P2P_NETNS_ADDRESSES.join(',') },
});
if (r.error) fail(`could not start unshare: ${r.error.message}`);
process.exit(r.status ?? 1);

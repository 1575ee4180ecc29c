/**
 * `otedama rig` as operators run it (the real binary): help, and every malformed flag refused
 * with one line naming it and exit code 2 before any browser starts; a pool that does not answer
 * and a missing Chromium exit 1 with what to do. (Rigs that mine: apps/rig/e2e/rig.spec.ts.)
 */
import { describe, expect, it } from 'vitest';
import { freePort, runOtedama } from './cli-run.ts';

const ADDRESS = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';
const OK = ['--browsers', '1', '--url', 'http://127.0.0.1:9/', '--address', ADDRESS];

function without(flag: string): string[] {
  const i = OK.indexOf(flag);
  return [...OK.slice(0, i), ...OK.slice(i + 2)];
}

function withFlag(flag: string, value: string): string[] {
  const i = OK.indexOf(flag);
  return i < 0 ? [...OK, flag, value] : [...OK.slice(0, i + 1), value, ...OK.slice(i + 2)];
}

describe('otedama rig', () => {
  it('--help says what it does, that the operator consents, and every flag', async () => {
    const r = await runOtedama(['rig', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/headless Chromium/);
    expect(r.stdout).toMatch(/consent/);
    for (const flag of ['--browsers', '--url', '--address', '--algo', '--gpu', '--threads', '--json']) expect(r.stdout).toContain(flag);
  });

  it.concurrent.each([
    ['no flags', [], /missing --browsers/],
    ['no --address', without('--address'), /missing --address/],
    ['zero browsers', withFlag('--browsers', '0'), /--browsers must be at least 1/],
    ['browsers that are not a number', withFlag('--browsers', 'two'), /--browsers expects a number/],
    ['a ws:// URL', withFlag('--url', 'ws://127.0.0.1:8080/'), /--url must be an http/],
    ['an address with spaces', withFlag('--address', 'not an address'), /--address must be 14-100 letters and digits/],
    ['an algorithm without browser engines', withFlag('--algo', 'scrypt'), /--algo must be one of sha256d/],
    ['zero threads and no GPU', withFlag('--threads', '0'), /--threads 0 needs --gpu/],
    ['an unknown flag', withFlag('--browser', '2'), /unknown flag --browser/],
  ])('refuses %s with exit 2 and one line', async (_label, args, why) => {
    const r = await runOtedama(['rig', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^otedama rig: error: /);
    expect(lines[0]).toMatch(why);
  });

  it.concurrent('a pool that does not answer exits 1 and says so', async () => {
    const r = await runOtedama(['rig', ...withFlag('--url', `http://127.0.0.1:${await freePort()}/`)]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/cannot reach the pool at http:\/\/127\.0\.0\.1:\d+ .*is the edge running there\?/);
  });

  it.concurrent('a missing Chromium exits 1 with how to get one', async () => {
    const r = await runOtedama(['rig', ...OK], { env: { OTEDAMA_CHROMIUM: '/nonexistent/chromium' } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/no Chromium at \/nonexistent\/chromium: install Debian's \(apt-get install chromium\) or set OTEDAMA_CHROMIUM/);
  });
});

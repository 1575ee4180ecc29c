/**
 * `otedama wallet new|show|balance` as the real binary: the encrypted file, the exported WIF
 * against core's decoder, refusals (real coins without --force, an existing file, no terminal,
 * a weak or wrong passphrase, a damaged file), and the balance of an address that a simnet block
 * paid, read from a real running edge and its node.
 */
import { addressToScript, decodeWif, parseBlockTemplate, walletAddress } from '@otedama/core';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mineTemplate, TEST_DIFFICULTY } from './chain-helpers.ts';
import { cliEnv, OTEDAMA_BIN, ROOT, runOtedama } from './cli-run.ts';
import { startEdgeProcess, type EdgeProcess } from './edge-process.ts';

const PASS = 'a long enough passphrase';
let dir: string;
let passFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'otedama-wallet-'));
  passFile = join(dir, 'pass.txt');
  writeFileSync(passFile, `${PASS}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const wallet = (name: string) => join(dir, name);
const otedama = (args: string[], env: Record<string, string> = {}) => runOtedama(args, { timeoutMs: 60_000, env: { OTEDAMA_DATA_DIR: dir, ...env } });

describe('otedama wallet', () => {
  it('new writes an encrypted file readable by its owner only and prints a simnet address; show and --export agree', async () => {
    const file = wallet('w1.json');
    const made = await otedama(['wallet', 'new', '--network', 'simnet', '--wallet', file, '--passphrase-file', passFile, '--json']);
    expect(made.code, made.stderr).toBe(0);
    const { address, network } = JSON.parse(made.stdout);
    expect(network).toBe('simnet');
    expect(address).toMatch(/^bcrt1q[a-z0-9]{38}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    expect(stored).toMatchObject({ format: 'otedama-wallet', network: 'regtest', address, kdf: { name: 'PBKDF2', iterations: 600_000 } });

    const shown = await otedama(['wallet', 'show', '--wallet', file]);
    expect(shown.code).toBe(0);
    expect(shown.stdout.trim()).toBe(address);
    expect(shown.stderr).toMatch(/regtest P2WPKH address/);

    const exported = await otedama(['wallet', 'show', '--wallet', file, '--export', '--passphrase-file', passFile, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    const { wif } = JSON.parse(exported.stdout);
    const key = decodeWif(wif);
    expect(key.compressed).toBe(true);
    expect(walletAddress(key.privateKey, 'regtest')).toBe(address);
    // The key is nowhere in the file.
    expect(readFileSync(file, 'utf8')).not.toContain(Buffer.from(key.privateKey).toString('hex'));

    // Never over an existing wallet.
    const again = await otedama(['wallet', 'new', '--network', 'simnet', '--wallet', file, '--passphrase-file', passFile]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists already; a wallet file is never overwritten/);
    expect(JSON.parse(readFileSync(file, 'utf8')).address).toBe(address);

    // A wrong passphrase exports nothing.
    const wrongFile = join(dir, 'wrong.txt');
    writeFileSync(wrongFile, 'not the passphrase\n');
    const wrong = await otedama(['wallet', 'show', '--wallet', file, '--export', '--passphrase-file', wrongFile]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/wrong passphrase/);
    expect(wrong.stdout).not.toMatch(/^c/m);
  }, 60_000);

  // A real terminal: util-linux's `script` runs the CLI on a pseudo-terminal; keys are typed after each prompt.
  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)('asks for the passphrase twice on a terminal without echoing it', async () => {
    const file = wallet('tty.json');
    const passphrase = 'typed on a terminal';
    const child = spawn('script', ['-qec', `"${process.execPath}" "${OTEDAMA_BIN}" wallet new --network simnet --wallet "${file}"`, '/dev/null'], { cwd: ROOT, env: cliEnv() });
    let out = '';
    const typed: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      for (const prompt of ['Passphrase for the new wallet', 'The same passphrase again']) {
        if (out.includes(prompt) && !typed.includes(prompt)) {
          typed.push(prompt);
          child.stdin.write(`${passphrase}\r`);
        }
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, out).toBe(0);
    expect(typed).toHaveLength(2);
    expect(out, JSON.stringify(out)).not.toContain(passphrase);
    const address = JSON.parse(readFileSync(file, 'utf8')).address as string;
    expect(out).toContain(address);
    writeFileSync(join(dir, 'tty-pass.txt'), `${passphrase}\n`);
    const exported = await otedama(['wallet', 'show', '--wallet', file, '--export', '--passphrase-file', join(dir, 'tty-pass.txt'), '--json']);
    expect(walletAddress(decodeWif(JSON.parse(exported.stdout).wif).privateKey, 'regtest')).toBe(address);
  }, 60_000);

  it('refuses real coins without --force, and says why', async () => {
    const r = await otedama(['wallet', 'new', '--network', 'mainnet', '--wallet', wallet('main.json'), '--passphrase-file', passFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to make a mainnet key: keep real coins in a wallet made for them/);
    const forced = await otedama(['wallet', 'new', '--network', 'testnet', '--force', '--wallet', wallet('test.json'), '--passphrase-file', passFile]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout.trim()).toMatch(/^tb1q/);
  }, 60_000);

  it('bad input gets a clear error and writes nothing', async () => {
    const noTty = await otedama(['wallet', 'new', '--network', 'simnet', '--wallet', wallet('nottty.json')]);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/no terminal to ask for the passphrase on; pass --passphrase-file/);
    const weakFile = join(dir, 'weak.txt');
    writeFileSync(weakFile, 'short\n');
    const weak = await otedama(['wallet', 'new', '--network', 'simnet', '--wallet', wallet('weak.json'), '--passphrase-file', weakFile]);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/at least 8 characters/);
    expect((await otedama(['wallet', 'new', '--network', 'simnet', '--wallet', wallet('x.json'), '--passphrase-file', join(dir, 'missing.txt')])).stderr).toMatch(/cannot read --passphrase-file/);
    for (const name of ['nottty.json', 'weak.json', 'x.json']) expect(() => statSync(wallet(name))).toThrow();
    // (Unknown --network values and stray arguments are the flag parser's, tested in cli.test.ts.)

    const missing = await otedama(['wallet', 'show', '--wallet', wallet('none.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no wallet at .*none\.json; make one with: otedama wallet new/);
    writeFileSync(wallet('junk.json'), '{"format":"otedama-wallet","version":1,"network":"regtest"}');
    expect((await otedama(['wallet', 'show', '--wallet', wallet('junk.json')])).stderr).toMatch(/junk\.json: not an Otedama wallet file: no bech32 address/);
    writeFileSync(wallet('text.json'), 'hello');
    expect((await otedama(['wallet', 'show', '--wallet', wallet('text.json')])).stderr).toMatch(/is not JSON/);
  }, 60_000);

  describe('balance against a running edge', () => {
    let edge: EdgeProcess;
    beforeAll(async () => {
      // Blocks cheap enough for the JS reference engine to mine one in a test.
      edge = await startEdgeProcess(['--block-difficulty', String(TEST_DIFFICULTY)]);
    }, 40_000);
    afterAll(async () => {
      await edge?.stop();
    }, 20_000);

    it('shows coins a simnet block paid to the address, and the pool side', async () => {
      const file = wallet('bal.json');
      // The pool's chain picks the network when --network is not given.
      const made = await otedama(['wallet', 'new', '--url', edge.url, '--wallet', file, '--passphrase-file', passFile, '--json']);
      expect(made.code, made.stderr).toBe(0);
      expect(made.stderr).toMatch(/network: simnet/);
      const { address } = JSON.parse(made.stdout);

      // Mine one simnet block paying the address through the node's own RPC.
      const cookie = readFileSync(join(edge.dataDir, 'simnet', '.cookie'), 'utf8');
      const rpc = async (method: string, params: unknown[]) => {
        const res = await fetch(edge.rpcUrl, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(cookie).toString('base64')}` }, body: JSON.stringify({ id: 1, method, params }) });
        return ((await res.json()) as { result: unknown }).result;
      };
      const t = parseBlockTemplate(await rpc('getblocktemplate', [{ rules: ['segwit'] }]));
      const block = await mineTemplate(t, [{ script: addressToScript(address, 'regtest'), value: t.coinbaseValue }]);
      expect(await rpc('submitblock', [block.hex])).toBeNull();

      const env = { OTEDAMA_DATA_DIR: edge.dataDir };
      const r = await otedama(['wallet', 'balance', '--wallet', file, '--url', edge.url, '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      const b = JSON.parse(r.stdout);
      expect(b).toMatchObject({ address, chain: { sats: Number(t.coinbaseValue), matureSats: 0, outputs: 1 }, pool: { carriedSats: 0, paidSats: 0 } });
      const text = await otedama(['wallet', 'balance', '--address', address, '--url', edge.url], env);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/on chain: +\d+\.\d{8} in 1 output\(s\)/);
      expect(text.stdout).toMatch(/at pool: /);

      // An address of another network is refused before anything is asked.
      const bad = await otedama(['wallet', 'balance', '--address', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', '--url', edge.url], env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/simnet uses regtest addresses/);
      // No edge and no --rpc-url: nothing to ask.
      const none = await otedama(['wallet', 'balance', '--address', address, '--url', 'http://127.0.0.1:1'], env);
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/no node to ask: no Otedama edge answers/);
    }, 90_000);
  });
});

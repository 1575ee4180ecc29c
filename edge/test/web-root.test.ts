/**
 * `--web-root` / `http.web_root` through the real `otedama pool` binary: a built folder is
 * served at / (with the SPA fallback) and the log names it; an empty value is a usage error; a
 * folder that does not exist stops the edge before it opens anything, naming the folder.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runOtedama, startOtedama } from './cli-run.ts';
import { startEdgeProcess } from './edge-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'otedama-web-root-cli-'));
const web = join(dir, 'web');
mkdirSync(web);
writeFileSync(join(web, 'index.html'), '<!doctype html><title>web-root marker 7f3a</title>');
writeFileSync(join(web, 'app.js'), 'export const marker = "app 7f3a";');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `otedama pool` on free ports with a fresh data folder; these runs end before listening. */
const pool = (args: string[]) => {
  const data = mkdtempSync(join(dir, 'data-'));
  return { data, run: runOtedama(['pool', '--http-port', '0', '--stratum-port', '0', '--rpc-port', '0', '--p2p-port', '0', '--data-dir', data, ...args], { timeoutMs: 30_000 }) };
};

describe('otedama pool --web-root / http.web_root', () => {
  it('serves the named folder at / and says so in the log', async () => {
    const config = join(dir, 'config.yaml');
    writeFileSync(config, `http:\n  web_root: ${web}\n`);
    // Started by hand (not startEdgeProcess) to see info lines: the helper's environment keeps logs at warn.
    const data = mkdtempSync(join(dir, 'data-'));
    const edge = startOtedama(['pool', '--config', config, '--http-port', '0', '--stratum-port', '0', '--rpc-port', '0', '--p2p-port', '0', '--data-dir', data], { OTEDAMA_LOG_LEVEL: 'info' });
    try {
      await expect.poll(() => edge.output().stdout, { timeout: 30_000 }).toMatch(/Press Ctrl\+C/);
      const url = /Open (http:\/\/127\.0\.0\.1:\d+)\//.exec(edge.output().stdout)![1]!;
      const home = await fetch(`${url}/`);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('web-root marker 7f3a');
      expect(await (await fetch(`${url}/app.js`)).text()).toContain('app 7f3a');
      // Client-side routes fall back to index.html; the API stays the API.
      expect(await (await fetch(`${url}/dashboard`)).text()).toContain('web-root marker 7f3a');
      expect((await fetch(`${url}/api/pool/stats`)).headers.get('content-type')).toMatch(/application\/json/);
      const line = edge.output().stderr.split('\n').find((l) => l.includes('[edge] web app'));
      expect(line).toMatch(/INFO +\[edge\] web app /);
      expect(line).toContain(`webRoot=${web} from=--web-root / http.web_root`);
    } finally {
      edge.child.kill('SIGTERM');
      await edge.exited;
    }
  }, 60_000);

  it('the flag wins over the config file', async () => {
    const config = join(dir, 'config-missing.yaml');
    writeFileSync(config, `http:\n  web_root: ${join(dir, 'not-here')}\n`);
    const edge = await startEdgeProcess(['--config', config, '--web-root', web]);
    try {
      expect(await (await fetch(`${edge.url}/`)).text()).toContain('web-root marker 7f3a');
    } finally {
      await edge.stop();
    }
  }, 60_000);

  it('an empty value is refused: flag (usage error, exit 2) and config key (exit 1, file and line)', async () => {
    const flag = await pool(['--web-root', '']).run;
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--web-root needs a folder, such as dist\/web/);
    const config = join(dir, 'config-empty.yaml');
    writeFileSync(config, 'http:\n  web_root: ""\n');
    const file = await pool(['--config', config]).run;
    expect(file.code).toBe(1);
    expect(file.stderr).toContain(`${config}:2: http.web_root must not be empty`);
  }, 60_000);

  it('a folder that does not exist stops the edge at once, naming the folder, before the database is created', async () => {
    const missing = join(dir, 'no-such-build');
    const { data, run } = pool(['--web-root', missing]);
    const r = await run;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`otedama pool: error: --web-root / http.web_root: the folder ${missing} does not exist`);
    expect(r.stdout).not.toMatch(/Otedama is running/);
    expect(existsSync(join(data, 'otedama.db'))).toBe(false);
    // The same through the config file; and a folder without index.html is not a built web app.
    const config = join(dir, 'config-nofolder.yaml');
    writeFileSync(config, `http:\n  web_root: ${missing}\n`);
    expect((await pool(['--config', config]).run).stderr).toContain(`the folder ${missing} does not exist`);
    const unbuilt = join(dir, 'unbuilt');
    mkdirSync(unbuilt);
    const r2 = await pool(['--web-root', unbuilt]).run;
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain(`${unbuilt} has no index.html`);
  }, 60_000);
});

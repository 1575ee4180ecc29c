/**
 * `npm run bench:hostile`: the attacks of issue 9 against a real `otedama pool` child process on
 * 127.0.0.1 (other loopback addresses play other IPs), each bounded in time, with the figure
 * each attack is about. The tests (edge/test/hostile/) assert the rules; this prints what an
 * attacker gets, so the same run against an older checkout gives the "before" column:
 *
 *   git worktree add --detach /tmp/before <commit>   # plus node_modules (cp -al), .tools, dist
 *   npm run bench:hostile -- --root /tmp/before --label before
 *   npm run bench:hostile -- --label after
 *
 * Only wire protocols, the HTTP API, simnet's RPC and config keys both versions know are used.
 * The crash attack needs OTEDAMA_TEST_FAULT=exit-after-submitblock, which an older checkout
 * lacks: patch its onBlock with the same two lines (see edge/README, "Hostile miners") or skip
 * it with --skip crash-block. Results go to bench/results/hostile-<label>-<date>.json.
 *
 * Usage: npm run bench:hostile -- [--root DIR] [--label NAME] [--only a,b] [--skip a,b] [--out FILE]
 */
import { DatabaseSync } from 'node:sqlite';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bitsToTarget, parseBlockTemplate, targetToDifficulty } from '@otedama/core';
import { parseArgs, type FlagSpec } from '../src/cli-args.ts';
import { RpcClient } from '../src/chain/rpc-client.ts';
import { silentLogger } from '../src/logger.ts';
import { mineTemplate } from '../test/chain-helpers.ts';
import { startEdgeProcess, type EdgeProcess } from '../test/edge-process.ts';
import { USER, WsClient, login, submitLine } from '../test/hostile/hostile-edge.ts';
import { LineClient, TEST_DIFFICULTY, findShare, notifyToJob, type Msg, type NotifyJob } from '../test/stratum-harness.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const RESULTS = join(ROOT, 'bench', 'results');
/** The edge is killed past this RSS in the flood attacks (the old edge grew to GBs; this machine is shared). */
const RSS_CAP_MIB = 1500;

const FLAGS: FlagSpec[] = [
  { name: 'root', type: 'string', help: 'checkout whose edge is attacked (default: this one)' },
  { name: 'label', type: 'string', default: 'after', help: 'name of this run in the table and the file' },
  { name: 'only', type: 'string', help: 'comma-separated attacks to run' },
  { name: 'skip', type: 'string', help: 'comma-separated attacks to leave out' },
  { name: 'out', type: 'string', help: 'where to write the JSON' },
];

type Figures = Record<string, number | string | boolean>;
interface Attack {
  readonly name: string;
  readonly what: string;
  run(root: string): Promise<Figures>;
}

function log(msg: string): void {
  process.stderr.write(`bench:hostile: ${msg}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Test share difficulties, a fast vardiff and a refresh every second; every key exists in the old schema too. */
function configFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'otedama-bench-hostile-'));
  const path = join(dir, 'config.yaml');
  writeFileSync(path, `stratum:\n  initial_difficulty: ${TEST_DIFFICULTY}\n  job_refresh_seconds: 1\n  vardiff:\n    min_difficulty: 0.0000001\n    max_difficulty: 0.000004\n    target_share_seconds: 1\n    retarget_seconds: 1\n`);
  return path;
}

async function withEdge<T>(root: string, args: string[], fn: (e: EdgeProcess) => Promise<T>, options: { env?: Record<string, string>; ulimitFiles?: number; dataDir?: string } = {}): Promise<T> {
  const e = await startEdgeProcess(['--config', configFile(), ...args], { root, ...options });
  try {
    return await fn(e);
  } finally {
    await e.stop();
  }
}

/** A Stratum connection to the edge (from `from`, another loopback address when given), closed after `fn`. */
async function withClient<T>(e: EdgeProcess, fn: (c: LineClient) => Promise<T>, from?: string): Promise<T> {
  const c = await LineClient.connect(e.stratumPort, from ? { localAddress: from } : {});
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

async function health(e: EdgeProcess): Promise<Msg | undefined> {
  try {
    const res = await fetch(`${e.url}/health`, { signal: AbortSignal.timeout(3000) });
    return res.ok ? await res.json() : undefined;
  } catch {
    return undefined;
  }
}

function rpc(e: EdgeProcess): RpcClient {
  return new RpcClient({ url: e.rpcUrl, cookieFile: join(e.dataDir, 'simnet', '.cookie'), logger: silentLogger, retries: 2, timeoutMs: 10_000 });
}

/** Opens n raw connections from an address; resolves when each is open or refused. */
async function openMany(port: number, from: string, n: number, keep: Socket[]): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, () => new Promise<void>((done) => {
      const s = connect({ host: '127.0.0.1', port, localAddress: from }, () => done());
      s.on('error', () => done());
      s.on('close', () => done());
      keep.push(s);
    })),
  );
}

/** Sends a flood while sampling the edge's RSS; stops at the cap, at `seconds`, or when `cutOff` says so. */
async function floodWhileSampling(e: EdgeProcess, seconds: number, send: () => void, cutOff: () => boolean): Promise<Figures> {
  const start = Date.now();
  const rss0 = rssMiB(e.pid);
  let peak = rss0;
  let killed = false;
  while (Date.now() - start < seconds * 1000 && !cutOff()) {
    send();
    await sleep(5);
    peak = Math.max(peak, rssMiB(e.pid));
    if (peak > RSS_CAP_MIB) {
      process.kill(e.pid, 'SIGKILL');
      killed = true;
      break;
    }
  }
  return { rssStartMiB: rss0, rssPeakMiB: peak, cutOff: cutOff(), seconds: Math.round((Date.now() - start) / 100) / 10, killedAtRssCap: killed };
}

const ATTACKS: Attack[] = [];

ATTACKS.push({
  name: 'replay',
  what: '3 shares each submitted under the 3 job ids of one template (refreshes): shares credited',
  run: (root) => withEdge(root, [], (e) => withClient(e, async (c) => {
    const { en1, job } = await login(c);
    const jobs: NotifyJob[] = [job];
    // Two refreshes of the same template (job_refresh_seconds: 1).
    while (jobs.length < 3) jobs.push(notifyToJob(await c.until((m) => m.method === 'mining.notify' && m.params[1] === job.fields.prevhash && m.params[8] === false, 10_000)));
    const last = jobs[2]!;
    let accepted = 0;
    for (let i = 0; i < 3; i++) {
      const en2 = `0${i}000000`;
      const s = await findShare(last, en1, en2, TEST_DIFFICULTY);
      for (const j of jobs) {
        c.sendLine(submitLine(j, en2, s.nonce, { ntime: last.fields.ntime, id: 50 }));
        if ((await c.until((m) => m.id === 50, 10_000)).result === true) accepted++;
      }
    }
    await sleep(500);
    const stats = await (await fetch(`${e.url}/api/pool/stats`)).json() as { sharesTotal: number };
    return { shares: 3, acceptedReplies: accepted, creditedShares: stats.sharesTotal };
  })),
});

ATTACKS.push({
  name: 'foreign-job',
  what: 'a share on a job id this connection was never sent (an earlier base job): accepted?',
  run: (root) => withEdge(root, [], async (e) => {
    const c1 = await LineClient.connect(e.stratumPort);
    const c2 = await LineClient.connect(e.stratumPort);
    try {
      const one = await login(c1);
      await c1.until((m) => m.method === 'mining.notify' && m.params[8] === false, 10_000); // a refresh
      c2.send({ id: 1, method: 'mining.subscribe', params: ['bench'] });
      const en1 = (await c2.reply()).result[1] as string;
      c2.send({ id: 2, method: 'mining.authorize', params: [USER, ''] });
      await c2.until((m) => m.method === 'mining.notify', 5000);
      const s = await findShare(one.job, en1, '00000000', TEST_DIFFICULTY);
      c2.sendLine(submitLine(one.job, '00000000', s.nonce, { id: 60 }));
      const r = await c2.until((m) => m.id === 60, 10_000);
      return { foreignJobAccepted: r.result === true, answer: r.result === true ? 'accepted' : String(r.error?.[1]) };
    } finally {
      c1.close();
      c2.close();
    }
  }),
});

ATTACKS.push({
  name: 'ws-no-read',
  what: 'WebSocket client that never reads, flooding suggest_difficulty (15 s at most): edge RSS, cut off?',
  run: (root) => withEdge(root, [], async (e) => {
    const wsUrl = e.url.replace('http', 'ws') + '/ws/stratum';
    const a = await WsClient.connect(wsUrl, '127.0.0.2');
    try {
      a.send({ id: 1, method: 'mining.subscribe', params: ['web'] });
      a.send({ id: 2, method: 'mining.authorize', params: [USER, ''] });
      await sleep(500);
      a.ws.pause();
      let gone = false;
      const watch = setInterval(() => void health(e).then((h) => (gone = h !== undefined && h.stratum.connections === 0)), 500);
      try {
        return await floodWhileSampling(e, 15, () => {
          for (let i = 0; i < 200; i++) a.send({ id: 3, method: 'mining.suggest_difficulty', params: [0.0001] });
        }, () => gone);
      } finally {
        clearInterval(watch);
      }
    } finally {
      a.close();
    }
  }),
});

ATTACKS.push({
  name: 'tcp-no-read',
  what: 'TCP client that never reads, flooding suggest_difficulty (15 s at most): edge RSS, cut off?',
  run: (root) => withEdge(root, [], (e) => withClient(e, async (a) => {
    await login(a);
    a.socket.pause();
    const line = '{"id":3,"method":"mining.suggest_difficulty","params":[0.0001]}\n'.repeat(200);
    return await floodWhileSampling(e, 15, () => {
      if (!a.closed && a.socket.writableLength < 1 << 20) a.socket.write(line);
    }, () => a.closed || a.socket.destroyed);
  }, '127.0.0.2')),
});

ATTACKS.push({
  name: 'per-ip',
  what: 'one IP opens 2,000 Stratum connections: how many it holds',
  run: (root) => withEdge(root, [], async (e) => {
    const keep: Socket[] = [];
    try {
      await openMany(e.stratumPort, '127.0.0.2', 2000, keep);
      await sleep(1000);
      const h = await health(e);
      return { attempted: 2000, held: h?.stratum.connections ?? 'no answer', healthAnswers: h !== undefined };
    } finally {
      for (const s of keep) s.destroy();
    }
  }),
});

ATTACKS.push({
  name: 'descriptors',
  what: 'edge under ulimit -n 512, 10 IPs x 100 connections: does HTTP /health and simnet RPC still answer?',
  run: (root) => withEdge(root, [], async (e) => {
    const keep: Socket[] = [];
    try {
      for (let i = 2; i < 12; i++) await openMany(e.stratumPort, `127.0.0.${i}`, 100, keep);
      await sleep(1000);
      const h = await health(e);
      const client = rpc(e);
      let rpcAnswers = false;
      try {
        await client.call('getblockcount');
        rpcAnswers = true;
      } catch {
        rpcAnswers = false;
      } finally {
        client.close();
      }
      return { attempted: 1000, held: h?.stratum.connections ?? 'unknown', healthAnswers: h !== undefined, rpcAnswers };
    } finally {
      for (const s of keep) s.destroy();
    }
  }, { ulimitFiles: 512 }),
});

ATTACKS.push({
  name: 'slowloris',
  what: 'one byte every 0.5 s (a line never ending), and a bare newline every 0.5 s: seconds until cut off (75 s at most)',
  run: (root) => withEdge(root, [], async (e) => {
    const slow = await LineClient.connect(e.stratumPort, { localAddress: '127.0.0.2' });
    const blank = await LineClient.connect(e.stratumPort, { localAddress: '127.0.0.3' });
    const start = Date.now();
    const closedAt: Record<string, number | string> = { oneByteAtATime: 'not within 75 s', bareNewlines: 'not within 75 s' };
    let over = false; // our own close at the end is not the edge's
    void slow.closedPromise.then(() => over || (closedAt.oneByteAtATime = Math.round((Date.now() - start) / 1000)));
    void blank.closedPromise.then(() => over || (closedAt.bareNewlines = Math.round((Date.now() - start) / 1000)));
    const line = '{"id":1,"method":"mining.subscribe","params":["slow"]}';
    let i = 0;
    while (Date.now() - start < 75_000 && !(slow.closed && blank.closed)) {
      if (!slow.closed) slow.socket.write(line[i++ % line.length]!);
      if (!blank.closed) blank.socket.write('\n');
      await sleep(500);
    }
    over = true;
    slow.close();
    blank.close();
    return closedAt;
  }),
});

ATTACKS.push({
  name: 'authorize-flood',
  what: '100,000 distinct mining.authorize lines on one connection: workers granted, edge RSS growth',
  run: (root) => withEdge(root, [], (e) => withClient(e, async (a) => {
    a.send({ id: 1, method: 'mining.subscribe', params: ['flood'] });
    await a.reply();
    const rss0 = rssMiB(e.pid);
    const n = 100_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(JSON.stringify({ id: 10, method: 'mining.authorize', params: [`${USER.split('.')[0]}.w${i}`, ''] }));
    a.socket.write(lines.join('\n') + '\n');
    const start = Date.now();
    let granted = 0;
    let peak = rss0;
    while (Date.now() - start < 30_000 && !a.closed) {
      granted = a.received.filter((m) => m.id === 10 && m.result === true).length;
      peak = Math.max(peak, rssMiB(e.pid));
      if (a.received.filter((m) => m.id === 10).length >= n) break;
      await sleep(100);
    }
    granted = a.received.filter((m) => m.id === 10 && m.result === true).length;
    return { sent: n, granted, answered: a.received.filter((m) => m.id === 10).length, cutOff: a.closed, rssGrowthMiB: Math.max(0, peak - rss0) };
  }, '127.0.0.2')),
});

ATTACKS.push({
  name: 'pinning',
  what: 're-sending suggest_difficulty 1e-7 after vardiff raised the difficulty: the difficulty in force',
  run: (root) => withEdge(root, [], (e) => withClient(e, async (c) => {
    const { en1 } = await login(c);
    c.send({ id: 3, method: 'mining.suggest_difficulty', params: [1e-7] });
    let job = notifyToJob(await c.until((m) => m.method === 'mining.notify', 5000));
    let difficulty = 1e-7;
    for (let i = 0; difficulty <= 1e-7 && i < 300; i++) {
      const en2 = i.toString(16).padStart(8, '0');
      c.sendLine(submitLine(job, en2, (await findShare(job, en1, en2, 1e-7)).nonce, { id: 100 }));
      const seen: Msg[] = [];
      await c.until((m) => m.id === 100, 5000, seen);
      await sleep(20);
      for (const m of [...seen, ...c.received]) if (m.method === 'mining.set_difficulty') difficulty = m.params[0];
    }
    const raised = difficulty;
    job = notifyToJob(await c.until((m) => m.method === 'mining.notify' && m.params[8] === true, 5000));
    c.received.length = 0;
    c.send({ id: 4, method: 'mining.suggest_difficulty', params: [1e-7] });
    await c.until((m) => m.id === 4, 5000);
    await sleep(500);
    const after = c.received.filter((m) => m.method === 'mining.set_difficulty').map((m) => m.params[0] as number).at(-1) ?? raised;
    return { raisedTo: raised, afterResuggest: after, pinned: after < raised, shareRateMultiple: Math.round(raised / after) };
  })),
});

ATTACKS.push({
  name: 'late-shares',
  what: 'after a block, 60 late shares on the job sent after a difficulty change: answers, banned?',
  run: (root) => withEdge(root, ['--block-difficulty', '0.0002'], async (e) => {
    const c = await LineClient.connect(e.stratumPort);
    const client = rpc(e);
    try {
      const { job } = await login(c);
      c.send({ id: 3, method: 'mining.suggest_difficulty', params: [TEST_DIFFICULTY * 2] });
      await c.until((m) => m.id === 3, 5000);
      const variant = notifyToJob(await c.until((m) => m.method === 'mining.notify' && m.params[8] === true, 5000));
      const t = parseBlockTemplate(await client.call('getblocktemplate', [{ rules: ['segwit'] }]));
      await client.call('submitblock', [(await mineTemplate(t)).hex]);
      await c.until((m) => m.method === 'mining.notify' && m.params[1] !== job.fields.prevhash, 10_000);
      let stale = 0;
      let notFound = 0;
      for (let i = 0; i < 60 && !c.closed; i++) {
        c.sendLine(submitLine(variant, i.toString(16).padStart(8, '0'), '00000000', { id: 200 }));
        try {
          const r = await c.until((m) => m.id === 200, 3000);
          if (/^Stale/.test(r.error?.[1] ?? '')) stale++;
          else if (/Job not found/.test(r.error?.[1] ?? '')) notFound++;
        } catch {
          break;
        }
      }
      return { lateShares: 60, stale, jobNotFound: notFound, banned: c.closed };
    } finally {
      client.close();
      c.close();
    }
  }),
});

ATTACKS.push({
  name: 'crash-block',
  what: 'SIGKILL right after simnet accepted a found block, then restart: blocks on the chain vs in the API',
  async run(root) {
    const dataDir = mkdtempSync(join(tmpdir(), 'otedama-bench-crash-'));
    try {
      const first = await startEdgeProcess(['--config', configFile(), '--block-difficulty', '0.00001'], { root, dataDir, env: { OTEDAMA_TEST_FAULT: 'exit-after-submitblock' } });
      const c = await LineClient.connect(first.stratumPort);
      const { en1, job } = await login(c);
      const d = targetToDifficulty(bitsToTarget(parseInt(job.fields.nbits, 16)));
      c.sendLine(submitLine(job, '00000000', (await findShare(job, en1, '00000000', Math.max(d, TEST_DIFFICULTY) * 1.001)).nonce));
      const exit = await Promise.race([first.exited, sleep(15_000).then(() => undefined)]);
      c.close();
      await first.stop();
      return await withEdge(root, [], async (e) => {
        const client = rpc(e);
        try {
          const chainBlocks = await client.call<number>('getblockcount');
          const { blocks } = await (await fetch(`${e.url}/api/blocks`)).json() as { blocks: unknown[] };
          const { payouts } = await (await fetch(`${e.url}/api/pool/payouts`)).json() as { payouts: { value: number }[] };
          return { killed: exit?.signal === 'SIGKILL', chainBlocks, recordedBlocks: blocks.length, paidSats: payouts.reduce((a, p) => a + p.value, 0) };
        } finally {
          client.close();
        }
      }, { dataDir });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
});

ATTACKS.push({
  name: 'two-edges',
  what: 'a second otedama pool on the running one\'s data folder: does it start, and is the first one\'s RPC cookie intact after it stops?',
  async run(root) {
    const dataDir = mkdtempSync(join(tmpdir(), 'otedama-bench-twice-'));
    try {
      return await withEdge(root, [], async (first) => {
        const cookie = join(dataDir, 'simnet', '.cookie');
        const before = readFileSync(cookie, 'utf8');
        let secondStarted = false;
        try {
          const second = await startEdgeProcess(['--config', configFile()], { root, dataDir });
          secondStarted = true;
          await second.stop();
        } catch {
          secondStarted = false;
        }
        let intact = false;
        try {
          intact = readFileSync(cookie, 'utf8') === before;
        } catch {
          intact = false;
        }
        return { secondStarted, firstCookieIntact: intact, firstAnswers: (await health(first)) !== undefined };
      }, { dataDir });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
});

ATTACKS.push({
  name: 'commit-failure',
  what: 'a share whose commit fails (SQLite locked by another process), submitted again: the answers',
  run: (root) => withEdge(root, [], (e) => withClient(e, async (c) => {
    const { en1, job } = await login(c);
    const s = await findShare(job, en1, '00000000', TEST_DIFFICULTY);
    const other = new DatabaseSync(join(e.dataDir, 'otedama.db'));
    other.exec('BEGIN EXCLUSIVE');
    let first: Msg;
    try {
      c.sendLine(submitLine(job, '00000000', s.nonce, { id: 70 }));
      first = await c.until((m) => m.id === 70, 30_000);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    c.sendLine(submitLine(job, '00000000', s.nonce, { id: 71 }));
    const again = await c.until((m) => m.id === 71, 10_000);
    const text = (r: Msg) => (r.result === true ? 'accepted' : String(r.error?.[1]));
    return { firstCommit: text(first), resubmitted: text(again), resubmittable: again.result === true };
  })),
});

ATTACKS.push({
  name: 'extranonce1',
  what: '20 connections: how many consecutive ones got neighbouring extranonce1 values',
  run: (root) => withEdge(root, [], async (e) => {
    const values: number[] = [];
    for (let i = 0; i < 20; i++) {
      const c = await LineClient.connect(e.stratumPort);
      c.send({ id: 1, method: 'mining.subscribe', params: ['count'] });
      values.push(parseInt((await c.reply()).result[1], 16));
      c.close();
    }
    let neighbours = 0;
    for (let i = 1; i < values.length; i++) if (Math.abs(values[i]! - values[i - 1]!) <= 1) neighbours++;
    return { connections: 20, neighbouringPairs: neighbours };
  }),
});

ATTACKS.push({
  name: 'http',
  what: 'POST /api/admin/profile from loopback without a credential; 1,500 GET /health from one address',
  run: (root) => withEdge(root, [], async (e) => {
    const profile = await fetch(`${e.url}/api/admin/profile?seconds=1`, { method: 'POST' });
    let limited = 0;
    for (let b = 0; b < 15; b++) {
      const statuses = await Promise.all(Array.from({ length: 100 }, () => fetch(`${e.url}/health`).then((r) => r.status, () => 0)));
      limited += statuses.filter((s) => s === 429).length;
    }
    return { profileWithoutCredential: profile.status, healthRequests: 1500, healthRefused429: limited };
  }),
});

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2), FLAGS);
  const root = resolve(String(flags.root ?? ROOT));
  const label = String(flags.label);
  const only = flags.only ? new Set(String(flags.only).split(',')) : undefined;
  const skip = new Set(flags.skip ? String(flags.skip).split(',') : []);
  const results: { name: string; what: string; figures: Figures; error?: string }[] = [];
  for (const a of ATTACKS) {
    if ((only && !only.has(a.name)) || skip.has(a.name)) continue;
    log(`${a.name}: ${a.what}`);
    const started = Date.now();
    try {
      const figures = await a.run(root);
      results.push({ name: a.name, what: a.what, figures });
      log(`  ${JSON.stringify(figures)} (${Math.round((Date.now() - started) / 1000)} s)`);
    } catch (err) {
      results.push({ name: a.name, what: a.what, figures: {}, error: (err as Error).message.split('\n')[0]! });
      log(`  failed: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  process.stdout.write(`\nhostile attacks against ${root} (${label})\n\n| attack | figures |\n|---|---|\n`);
  for (const r of results) process.stdout.write(`| ${r.name} | ${r.error ? `error: ${r.error}` : Object.entries(r.figures).map(([k, v]) => `${k}=${v}`).join(', ')} |\n`);
  mkdirSync(RESULTS, { recursive: true });
  const out = flags.out ? String(flags.out) : join(RESULTS, `hostile-${label}-${new Date().toISOString().slice(0, 10)}.json`);
  writeFileSync(out, JSON.stringify({ label, root, date: new Date().toISOString(), results }, null, 2) + '\n');
  log(`wrote ${out}`);
}

main().catch((err) => {
  log(err?.stack ?? String(err));
  process.exit(1);
});

/**
 * Fuzzing the Stratum server through its real socket: random lines and mutations of what real
 * miners send, 3,000 lines over 4 connections, bounded to ~20 s. Every line must be answered
 * (an error or a result) or end in a disconnect; the server must not crash or leak sockets.
 * The seed is printed on failure; set OTEDAMA_FUZZ_SEED to replay a run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { LineClient, REGTEST_ADDRESS, notifyToJob, startTestPool, waitFor, type Msg, type NotifyJob, type TestPool } from '../../test/stratum-harness.ts';

const LINES = 3000;
const CONNECTIONS = 4;
const BUDGET_MS = 20_000;
const MAX_LINE = 2048;
const SEED = Number(process.env.OTEDAMA_FUZZ_SEED ?? Date.now() % 1_000_000);

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

const USER = `${REGTEST_ADDRESS}.fuzz`;

function seeds(job: NotifyJob): string[] {
  return [
    '{"id": 1, "method": "mining.subscribe", "params": ["cpuminer/2.5.1"]}',
    '{"id": 1, "method": "mining.subscribe", "params": ["cpuminer/2.5.1", "deadbeef"]}',
    `{"id": 2, "method": "mining.authorize", "params": ["${USER}", ""]}`,
    '{"id": 3, "method": "mining.extranonce.subscribe", "params": []}',
    '{"id": 1, "method": "mining.suggest_difficulty", "params": ["0.000002"]}',
    '{"id":1,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":"ffffffff"}]}',
    '{"id":2,"method":"mining.subscribe","params":["bitaxe/BM1370/v2.15.0"]}',
    '{"id":4,"method":"mining.suggest_difficulty","params":[1000]}',
    `{"method": "mining.submit", "params": ["${USER}", "${job.jobId}", "00000000", "${job.fields.ntime}", "32ed2600"], "id":4}`,
    `{"id":5,"method":"mining.submit","params":["${USER}","${job.jobId}","00000000","${job.fields.ntime}","32ed2600","00002000"]}`,
    '{"id":6,"method":"mining.ping","params":[]}',
    '{"id":7,"method":"client.get_version","params":[]}',
    '{"id":8,"method":"mining.suggest_target","params":["0000000fffff0000000000000000000000000000000000000000000000000000"]}',
  ];
}

const WEIRD: unknown[] = [null, 0, -1, 1e308, -0.5, '', 'zz', '0x12', [], {}, true, false, 'x'.repeat(300), [[[]]], { a: [1] }, '00000000', 'ffffffffffffffff', 1.5, '1e999'];

function mutate(line: string, r: () => number): string {
  const pick = <T,>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const kind = Math.floor(r() * 7);
  switch (kind) {
    case 0: {
      // structured: replace a field or a parameter with something odd
      try {
        const obj = JSON.parse(line);
        const what = Math.floor(r() * 4);
        if (what === 0) obj.id = pick(WEIRD);
        else if (what === 1) obj.method = pick([...WEIRD, 'mining.submit', 'mining.notify', 'mining.set_difficulty', '__proto__', 'constructor']);
        else if (what === 2) obj.params = pick(WEIRD);
        else if (Array.isArray(obj.params) && obj.params.length) obj.params[Math.floor(r() * obj.params.length)] = pick(WEIRD);
        else delete obj.params;
        return JSON.stringify(obj);
      } catch {
        return line;
      }
    }
    case 1: {
      // flip characters
      const chars = [...line];
      for (let i = 0, n = 1 + Math.floor(r() * 4); i < n; i++) chars[Math.floor(r() * chars.length)] = String.fromCharCode(32 + Math.floor(r() * 95));
      return chars.join('');
    }
    case 2:
      return line.slice(0, Math.floor(r() * line.length));
    case 3: {
      const at = Math.floor(r() * line.length);
      return line.slice(0, at) + pick(['{', '}', '[', ']', '"', ',', ':', '\\', '\u0000', '\u00e9', '\ud83d\ude00', '\r', '\t']) + line.slice(at);
    }
    case 4:
      return line + line;
    case 5:
      return line.replace(/"[0-9a-f]{8}"/, `"${pick(['', 'g', 'fffffffff', '-1', 'ＡＢ'])}"`);
    default:
      return line.replace(/\d/g, () => String(Math.floor(r() * 10)));
  }
}

function randomLine(r: () => number): string {
  const kind = Math.floor(r() * 4);
  if (kind === 0) return JSON.stringify(WEIRD[Math.floor(r() * WEIRD.length)]);
  if (kind === 1) return 'x'.repeat(MAX_LINE + 1 + Math.floor(r() * 2000)); // over the limit
  let s = '';
  const n = Math.floor(r() * 120);
  for (let i = 0; i < n; i++) {
    let c = Math.floor(r() * (kind === 2 ? 128 : 0x3000));
    if (c === 10) c = 32;
    s += String.fromCharCode(c);
  }
  return s;
}

/** True when the server owes no reply: a blank line, or a well-formed response object. */
function expectsNoReply(line: string): boolean {
  const stripped = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (stripped.trim() === '') return true;
  try {
    const v = JSON.parse(stripped);
    return typeof v === 'object' && v !== null && !Array.isArray(v) && (v.method === undefined || v.method === null) && ('result' in v || 'error' in v) && (v.id === undefined || v.id === null || typeof v.id === 'number' || (typeof v.id === 'string' && v.id.length <= 64));
  } catch {
    return false;
  }
}

let pool: TestPool | undefined;
afterAll(async () => {
  await pool?.stop();
});

describe('Stratum fuzz', () => {
  it(`answers ${LINES} random and mutated lines with an error or a disconnect, without crashing or leaking sockets (seed ${SEED})`, async () => {
    pool = await startTestPool({ maxLineBytes: MAX_LINE, banThreshold: 1e12 });
    const p = pool;
    const r = rng(SEED);
    const deadline = Date.now() + BUDGET_MS;
    let job: NotifyJob | undefined;
    const stats = { sent: 0, replied: 0, disconnected: 0, silentOk: 0, reconnects: 0 };

    async function open(): Promise<LineClient> {
      const c = await LineClient.connect(p.port);
      c.send({ id: 1, method: 'mining.subscribe', params: ['fuzz'] });
      await c.next();
      c.send({ id: 2, method: 'mining.authorize', params: [USER, ''] });
      const notify = await c.until((m) => m.method === 'mining.notify');
      job ??= notifyToJob(notify);
      c.received.length = 0;
      return c;
    }

    async function worker(w: number, count: number): Promise<void> {
      let c = await open();
      for (let i = 0; i < count && Date.now() < deadline; i++) {
        const seedLines = seeds(job!);
        const line = r() < 0.3 ? randomLine(r) : mutate(seedLines[Math.floor(r() * seedLines.length)]!, r);
        const clean = line.replace(/\n/g, ' ');
        const sync = `sync-${w}-${i}`;
        c.received.length = 0;
        c.socket.write(clean + '\n' + `{"id":"${sync}","method":"mining.ping","params":[]}\n`);
        stats.sent++;
        const got: Msg[] = [];
        let synced = false;
        try {
          await c.until((m) => m.id === sync, 3000, got);
          synced = true;
        } catch (err) {
          if (!c.closed) throw new Error(`seed ${SEED}: no answer and no disconnect for line ${JSON.stringify(clean).slice(0, 200)}: ${(err as Error).message}`);
        }
        const replies = got.filter((m) => m.method === undefined && ('result' in m || 'error' in m));
        if (!expectsNoReply(clean) && synced && replies.length === 0) {
          throw new Error(`seed ${SEED}: line answered with nothing: ${JSON.stringify(clean).slice(0, 200)}`);
        }
        if (replies.length) stats.replied++;
        else if (!synced) stats.disconnected++;
        else stats.silentOk++;
        if (c.closed || !synced) {
          c.close();
          stats.reconnects++;
          c = await open();
        }
      }
      c.close();
    }

    await Promise.all(Array.from({ length: CONNECTIONS }, (_, w) => worker(w, LINES / CONNECTIONS)));
    expect(stats.sent).toBeGreaterThan(LINES / 4);
    expect(stats.replied).toBeGreaterThan(stats.sent * 0.9);
    expect(stats.reconnects).toBeGreaterThan(0); // garbage and oversize lines did end connections
    expect(stats.replied + stats.disconnected + stats.silentOk).toBe(stats.sent);
    await waitFor(() => p.service.server.connectionCount === 0, 5000, 'every fuzz connection to be released');
    // Still healthy afterwards.
    const c = await LineClient.connect(p.port);
    c.send({ id: 1, method: 'mining.ping', params: [] });
    expect((await c.next()).result).toBe('pong');
    c.close();
    await waitFor(() => p.service.server.connectionCount === 0);
  }, 60_000);
});

/**
 * One load generator process of `npm run bench:stratum`: opens its share of the connections to
 * the edge's Stratum port on 127.0.0.1, subscribes and authorizes each, precomputes VALID shares
 * for every connection (a different extranonce2 per share, nonces found by core's reference
 * SHA-256d engine at BENCH_DIFFICULTY), then submits them at the requested rate and measures
 * submit-to-reply latency. Talks to the parent over IPC.
 */
import { connect, type Socket } from 'node:net';
import { hash } from 'node:crypto';
import {
  createReferenceSha256dEngine,
  difficultyToTarget,
  hexToBytes,
  prevHashFromStratum,
  u32ToHex,
  writeU32LE,
  type StratumJobFields,
} from '@otedama/core';
import {
  BENCH_DIFFICULTY,
  HISTOGRAM_BUCKETS,
  latencyBucket,
  type GeneratorCommand,
  type GeneratorGo,
  type GeneratorMessage,
  type GeneratorStart,
} from './stratum-load-protocol.ts';

function send(msg: GeneratorMessage): void {
  process.send?.(msg);
}

const sha256d = (d: Uint8Array): Uint8Array => hash('sha256', hash('sha256', d, 'buffer'), 'buffer');

interface Conn {
  socket: Socket;
  tail: string;
  en1: string;
  jobId: string;
  fields: StratumJobFields | undefined;
  ready: boolean;
  closed: boolean;
  /** Precomputed nonces; share k uses extranonce2 = k (4 bytes little-endian, as minerd counts). */
  nonces: Uint32Array;
  next: number;
  replies: number;
  sendTimes: Float64Array;
  /** The constant start of every submit line of this connection. */
  prefix: string;
}

let conns: Conn[] = [];
let user = '';
const histogram = new Array<number>(HISTOGRAM_BUCKETS).fill(0);
let accepted = 0;
let rejected = 0;
const rejectSamples: string[] = [];
let closedEarly = 0;

function en2Hex(k: number): string {
  // Little-endian counter bytes, like minerd's extranonce2.
  return u32ToHex(((k & 0xff) << 24) | ((k & 0xff00) << 8) | ((k >>> 8) & 0xff00) | (k >>> 24));
}

function onLine(c: Conn, line: string, now: number): void {
  if (c.ready) {
    // Submit replies: {"id":4,"result":true,"error":null}
    if (line.startsWith('{"id":4,')) {
      const t = c.sendTimes[c.replies]!;
      c.replies++;
      histogram[latencyBucket(now - t)]!++;
      if (line.startsWith('{"id":4,"result":true')) accepted++;
      else {
        rejected++;
        if (rejectSamples.length < 5) rejectSamples.push(line.slice(0, 200));
      }
    }
    return;
  }
  const msg = JSON.parse(line);
  if (msg.error) throw new Error(`login failed: ${line}`);
  if (msg.id === 1 && Array.isArray(msg.result)) c.en1 = msg.result[1];
  else if (msg.method === 'mining.notify') {
    const p = msg.params;
    c.jobId = p[0];
    c.fields = { prevhash: p[1], coinb1: p[2], coinb2: p[3], merkleBranch: p[4], version: p[5], nbits: p[6], ntime: p[7] };
    c.prefix = `{"id":4,"method":"mining.submit","params":["${user}","${c.jobId}","`;
    c.ready = true;
  }
}

function open(port: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    const c: Conn = {
      socket, tail: '', en1: '', jobId: '', fields: undefined, ready: false, closed: false,
      nonces: new Uint32Array(0), next: 0, replies: 0, sendTimes: new Float64Array(0), prefix: '',
    };
    socket.setEncoding('latin1');
    let settled = false;
    socket.on('data', (chunk: string) => {
      const now = performance.now();
      let text = c.tail ? c.tail + chunk : chunk;
      let start = 0;
      try {
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
          onLine(c, text.slice(start, nl), now);
          start = nl + 1;
        }
      } catch (err) {
        socket.destroy();
        if (!settled) {
          settled = true;
          reject(err);
        }
        return;
      }
      c.tail = start < text.length ? text.slice(start) : '';
      text = '';
      if (!settled && c.ready) {
        settled = true;
        resolve(c);
      }
    });
    socket.on('error', (err) => {
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
    socket.on('close', () => {
      c.closed = true;
      if (!settled) {
        settled = true;
        reject(new Error('closed during login'));
      }
    });
    socket.on('connect', () => {
      socket.write(`{"id":1,"method":"mining.subscribe","params":["otedama-bench/1.0"]}\n{"id":2,"method":"mining.authorize","params":["${user}",""]}\n`);
    });
  });
}

async function connectAll(cmd: GeneratorStart): Promise<void> {
  user = cmd.user;
  const t0 = performance.now();
  let started = 0;
  let failed = 0;
  let firstError: string | undefined;
  let lastReport = 0;
  const results: Conn[] = [];
  await new Promise<void>((resolve) => {
    let inflight = 0;
    const pump = () => {
      while (inflight < cmd.connectConcurrency && started < cmd.connections) {
        started++;
        inflight++;
        open(cmd.port).then(
          (c) => {
            results.push(c);
            inflight--;
            done();
          },
          (err: Error) => {
            firstError ??= err.message;
            failed++;
            inflight--;
            done();
          },
        );
      }
    };
    const done = () => {
      const n = results.length + failed;
      if (n - lastReport >= 1000) {
        lastReport = n;
        send({ type: 'progress', connected: results.length, failed });
      }
      if (n === cmd.connections) resolve();
      else pump();
    };
    pump();
  });
  conns = results;
  send({ type: 'connected', connected: results.length, failed, ms: performance.now() - t0, ...(firstError ? { firstError } : {}) });
}

/** Finds, for every connection and extranonce2 0..k-1, a nonce meeting BENCH_DIFFICULTY. */
async function precompute(sharesPerConnection: number): Promise<void> {
  const t0 = performance.now();
  const engine = createReferenceSha256dEngine();
  const target = difficultyToTarget(BENCH_DIFFICULTY);
  const header = new Uint8Array(80);
  let total = 0;
  for (const c of conns) {
    const f = c.fields!;
    const coinb1 = hexToBytes(f.coinb1);
    const coinb2 = hexToBytes(f.coinb2);
    const en1 = hexToBytes(c.en1);
    const branch = f.merkleBranch.map((b) => hexToBytes(b));
    const coinbase = new Uint8Array(coinb1.length + en1.length + 4 + coinb2.length);
    coinbase.set(coinb1, 0);
    coinbase.set(en1, coinb1.length);
    coinbase.set(coinb2, coinb1.length + en1.length + 4);
    writeU32LE(header, 0, parseInt(f.version, 16));
    header.set(prevHashFromStratum(f.prevhash), 4);
    writeU32LE(header, 68, parseInt(f.ntime, 16));
    writeU32LE(header, 72, parseInt(f.nbits, 16));
    c.nonces = new Uint32Array(sharesPerConnection);
    c.sendTimes = new Float64Array(sharesPerConnection);
    for (let k = 0; k < sharesPerConnection; k++) {
      // extranonce2 = k, little-endian
      const o = coinb1.length + en1.length;
      coinbase[o] = k & 0xff;
      coinbase[o + 1] = (k >>> 8) & 0xff;
      coinbase[o + 2] = (k >>> 16) & 0xff;
      coinbase[o + 3] = (k >>> 24) & 0xff;
      let root: Uint8Array = sha256d(coinbase);
      for (const b of branch) {
        const pair = new Uint8Array(64);
        pair.set(root, 0);
        pair.set(b, 32);
        root = sha256d(pair);
      }
      header.set(root, 36);
      // About every second nonce meets 2^-31; the engine hashes its whole range, so keep it short.
      for (let start = 0; ; start += 3) {
        const r = await engine.search({ header, target }, start, 3, { maxHits: 1 });
        if (r.hits.length) {
          c.nonces[k] = r.hits[0]!.nonce;
          break;
        }
      }
      total++;
    }
  }
  engine.dispose();
  send({ type: 'precomputed', shares: total, ms: performance.now() - t0 });
}

async function go(cmd: GeneratorGo): Promise<void> {
  const cpu0 = process.cpuUsage();
  const rate = cmd.sharesPerSecond;
  const n = conns.length;
  let cursor = 0;
  let sent = 0;
  const t0 = performance.now();
  const capacity = conns.reduce((s, c) => s + c.nonces.length, 0);
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const elapsed = (now - t0) / 1000;
      if (elapsed >= cmd.seconds || sent >= capacity) return resolve();
      // Token bucket, at most 50 ms worth at once after a stall.
      let budget = Math.min(Math.floor(rate * elapsed) - sent, Math.ceil(rate * 0.05));
      let misses = 0;
      while (budget > 0 && misses < n) {
        const c = conns[cursor]!;
        cursor = cursor + 1 === n ? 0 : cursor + 1;
        const left = c.nonces.length - c.next;
        if (c.closed || left <= 0) {
          misses++;
          continue;
        }
        misses = 0;
        const k = Math.min(cmd.batch, budget, left);
        let s = '';
        const ntime = c.fields!.ntime;
        for (let j = 0; j < k; j++) {
          const idx = c.next++;
          c.sendTimes[idx] = now;
          s += `${c.prefix}${en2Hex(idx)}","${ntime}","${u32ToHex(c.nonces[idx]!)}"]}\n`;
        }
        c.socket.write(s);
        budget -= k;
        sent += k;
      }
      setTimeout(tick, 1);
    };
    tick();
  });
  const sendSeconds = (performance.now() - t0) / 1000;
  // Drain: wait for the outstanding replies (at most 10 s).
  const drainUntil = performance.now() + 10_000;
  while (accepted + rejected < sent && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
  for (const c of conns) if (c.closed) closedEarly++;
  const cpu = process.cpuUsage(cpu0);
  send({ type: 'done', sent, accepted, rejected, rejectSamples, histogram, sendSeconds, closedEarly, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000 });
}

process.on('message', (cmd: GeneratorCommand & { sharesPerConnection?: number }) => {
  const run = async () => {
    if (cmd.type === 'start') {
      await connectAll(cmd);
      await precompute(cmd.sharesPerConnection);
    } else if (cmd.type === 'go') {
      await go(cmd);
    } else if (cmd.type === 'stop') {
      for (const c of conns) c.socket.destroy();
      process.exit(0);
    }
  };
  run().catch((err) => send({ type: 'error', message: (err as Error).stack ?? String(err) }));
});
process.on('disconnect', () => process.exit(0));

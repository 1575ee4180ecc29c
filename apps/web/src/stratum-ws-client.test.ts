/**
 * The job connection against in-memory pools: a fake WebSocket class (injected like the real one)
 * behind which each URL is a small Stratum pool that can be up, refuse connections, or hang.
 * Timers are Vitest's fake ones, so backoff delays are checked exactly, without waiting.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EdgeFailover } from './edge-failover.ts';
import type { MinerEvent } from './miner.ts';
import { kawpowNotifyParams, kawpowSetTargetParams, kawpowSubscribeResult } from '@otedama/core';
import { kawpowDialect, kawpowSubmitFields, type KawpowStratumJob } from './kawpow/kawpow-dialect.ts';
import { CONNECT_TIMEOUT_MS, MAX_MALFORMED_PER_SESSION, StratumWsClient, type ConnectionState, type StratumJob } from './stratum-ws-client.ts';

const A = 'ws://127.0.0.1:9001/ws/stratum';
const B = 'ws://127.0.0.1:9002/ws/stratum';
const H64 = '11'.repeat(32);
const KAWPOW_JOB = { jobId: 'k1', headerHash: new Uint8Array(32).fill(0xab), height: 1234, bits: 0x207fffff, target: 1n << 240n, clean: true };
const NOTIFY = { id: null, method: 'mining.notify', params: ['j1', H64, '01', '02', [], '20000000', '207fffff', '66000000', true] };

type Mode = 'up' | 'refuse' | 'hang';
interface Rpc {
  id: number;
  method: string;
  params: unknown[];
}

/** One pool per URL; records every socket and what was sent to it. */
class Net {
  modes = new Map<string, Mode>();
  sockets: FakeSocket[] = [];
  sessions = 0;
  /** Answers to mining.submit: true, or an error array. */
  submitAnswer: unknown = true;
  answerSubmits = true;
  /** The pool's dialect: Stratum V1 (SHA-256d) or KawPow's. */
  dialect: 'sha256d' | 'kawpow' = 'sha256d';
}
let net: Net;

class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState = 0;
  binaryType = 'blob';
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  readonly received: Rpc[] = [];
  closedWith: number | undefined;

  constructor(readonly url: string) {
    net.sockets.push(this);
    const mode = net.modes.get(url) ?? 'refuse';
    if (mode === 'refuse') setTimeout(() => this.drop(1006), 5);
    if (mode === 'up') setTimeout(() => this.accept(), 5);
  }

  accept(): void {
    this.readyState = 1;
    this.onopen?.();
  }

  /** The server side sends a line. */
  push(line: string | object): void {
    if (this.readyState !== 1) return;
    const data = typeof line === 'string' ? line : JSON.stringify(line);
    setTimeout(() => this.onmessage?.({ data }), 0);
  }

  /** The connection dies (server killed, network gone). */
  drop(code = 1006): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onerror?.();
    this.onclose?.({ code, reason: '' });
  }

  send(data: string): void {
    const msg = JSON.parse(data) as Rpc;
    this.received.push(msg);
    if (net.dialect === 'kawpow' && msg.method !== 'mining.submit') {
      this.kawpowPool(msg);
    } else if (msg.method === 'mining.subscribe') {
      const sid = `s${++net.sessions}`;
      this.push({ id: msg.id, result: [[['mining.notify', sid]], `0000000${net.sessions}`, 4], error: null });
    } else if (msg.method === 'mining.authorize') {
      this.push({ id: msg.id, result: true, error: null });
      this.push({ id: null, method: 'mining.set_difficulty', params: [0.5] });
      this.push(NOTIFY);
    } else if (msg.method === 'mining.submit' && net.answerSubmits) {
      this.push(net.submitAnswer === true ? { id: msg.id, result: true, error: null } : { id: msg.id, result: null, error: net.submitAnswer });
    }
  }

  /** A KawPow pool's side of the handshake: the nonce prefix, set_target, a notify it garbled, then a good one. */
  private kawpowPool(msg: Rpc): void {
    if (msg.method === 'mining.subscribe') {
      this.push({ id: msg.id, result: kawpowSubscribeResult(`s${++net.sessions}`, `800${net.sessions}`), error: null });
    } else if (msg.method === 'mining.authorize') {
      this.push({ id: msg.id, result: true, error: null });
      this.push({ id: null, method: 'mining.set_target', params: kawpowSetTargetParams(KAWPOW_JOB.target >> 8n) });
      const params = kawpowNotifyParams(KAWPOW_JOB);
      this.push({ id: null, method: 'mining.notify', params: [...params.slice(0, 5), 30_000, params[6]] }); // seed of epoch 0 at a height of epoch 4
      this.push({ id: null, method: 'mining.notify', params });
    }
  }

  close(code = 1000): void {
    this.closedWith = code;
    this.readyState = 3;
  }
}

interface Recorder {
  events: MinerEvent[];
  states: [ConnectionState, string, string | undefined][];
  jobs: StratumJob[];
}

function client(edges: string[]): { c: StratumWsClient; r: Recorder } {
  const r: Recorder = { events: [], states: [], jobs: [] };
  const c = new StratumWsClient(
    new EdgeFailover(edges, { random: () => 0 }),
    'bcrt1qexample.web',
    {
      onJob: (job) => r.jobs.push(job),
      onExtranonce: () => undefined,
      onState: (state, url, detail) => r.states.push([state, url, detail]),
      onEvent: (event) => r.events.push(event),
    },
    { WebSocket: FakeSocket as unknown as typeof WebSocket, now: () => Date.now() },
  );
  return { c, r };
}

beforeEach(() => {
  vi.useFakeTimers();
  net = new Net();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('StratumWsClient', () => {
  it('speaks KawPow with its dialect: the nonce prefix, set_target for the job, a garbled notify skipped with a reason, 0x submits', async () => {
    net.modes.set(A, 'up');
    net.dialect = 'kawpow';
    const jobs: KawpowStratumJob[] = [];
    const events: MinerEvent[] = [];
    const c = new StratumWsClient<KawpowStratumJob>(
      new EdgeFailover([A], { random: () => 0 }),
      'mo9ncXisMeAoXwqcV5EWuyncbmCcQN4rVs.web',
      { onJob: (job) => jobs.push(job), onExtranonce: () => undefined, onState: () => undefined, onEvent: (e) => events.push(e) },
      { WebSocket: FakeSocket as unknown as typeof WebSocket, now: () => Date.now(), dialect: kawpowDialect() },
    );
    c.start();
    await vi.advanceTimersByTimeAsync(50);
    expect(c.extranonce1).toBe('8001');
    expect(c.extranonce2Size).toBe(0);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ jobId: 'k1', height: 1234, epoch: 0, target: KAWPOW_JOB.target >> 8n });
    expect(events.map((e) => e.text).join('\n')).toMatch(/ignored a malformed message .*seed hash .* is not the seed of epoch 4/);
    const hit = { nonce: 0x8001_0000_0000_0007n, mixHash: new Uint8Array(32).fill(1), finalHash: new Uint8Array(32) };
    const outcome = c.submitShare(kawpowSubmitFields(jobs[0]!, hit));
    await vi.advanceTimersByTimeAsync(10);
    expect(await outcome).toEqual({ outcome: 'accepted' });
    const submit = net.sockets[0]!.received.find((m) => m.method === 'mining.submit')!;
    expect(submit.params).toEqual(['mo9ncXisMeAoXwqcV5EWuyncbmCcQN4rVs.web', 'k1', '0x8001000000000007', `0x${'ab'.repeat(32)}`, `0x${'01'.repeat(32)}`]);
    c.stop();
  });

  it('subscribes, authorizes and hands over jobs at the difficulty in force', async () => {
    net.modes.set(A, 'up');
    const { c, r } = client([A]);
    c.start();
    await vi.advanceTimersByTimeAsync(50);
    expect(r.states.map((s) => s[0])).toEqual(['connecting', 'connected', 'authorized']);
    expect(r.jobs).toHaveLength(1);
    expect(r.jobs[0]).toMatchObject({ jobId: 'j1', prevhash: H64, clean: true, difficulty: 0.5 });
    expect(c.extranonce1).toBe('00000001');
    expect(c.sessionKey).toBe(`${A} 00000001`);
    expect(net.sockets[0]!.received.map((m) => m.method)).toEqual(['mining.subscribe', 'mining.authorize']);
    expect(net.sockets[0]!.received[0]!.params).toEqual(['otedama-web/0.1.0']);
    c.stop();
  });

  it('reports malformed lines as events and keeps going; a flood of them ends the session', async () => {
    net.modes.set(A, 'up');
    net.modes.set(B, 'up');
    const { c, r } = client([A, B]);
    c.start();
    await vi.advanceTimersByTimeAsync(50);
    const ws = net.sockets[0]!;
    ws.push('{not json');
    ws.push({ id: null, method: 'mining.notify', params: ['j2', 'short'] });
    ws.push({ id: null, method: 'mining.set_difficulty', params: [-1] });
    ws.push({ ...NOTIFY, params: ['j3', ...NOTIFY.params.slice(1)] });
    await vi.advanceTimersByTimeAsync(10);
    const warnings = r.events.filter((e) => e.level === 'warn').map((e) => e.text);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/malformed message from .*9001.*not JSON/);
    expect(warnings[1]).toMatch(/mining.notify needs 9 params/);
    expect(warnings[2]).toMatch(/set_difficulty needs a positive number/);
    expect(r.jobs.map((j) => j.jobId)).toEqual(['j1', 'j3']);
    expect(r.jobs[1]!.difficulty).toBe(0.5);

    for (let i = 0; i < MAX_MALFORMED_PER_SESSION; i++) ws.push('garbage');
    await vi.advanceTimersByTimeAsync(10);
    expect(r.events.at(-1)!.text).toMatch(/lost the job connection to .*9001.*more than 20 malformed messages.*failing over to .*9002/);
    await vi.advanceTimersByTimeAsync(1000);
    expect(r.states.at(-1)).toEqual(['authorized', B, undefined]);
    c.stop();
  });

  it('fails over to the next edge when the session is lost, wrapping around, with per-edge session resume', async () => {
    net.modes.set(A, 'up');
    net.modes.set(B, 'up');
    const { c, r } = client([A, B]);
    c.start();
    await vi.advanceTimersByTimeAsync(50);
    net.sockets[0]!.drop();
    const failover = r.events.find((e) => /failing over/.test(e.text))!;
    expect(failover.level).toBe('warn');
    expect(failover.text).toBe(`lost the job connection to ${A} (closed (1006)); failing over to ${B} in 0.3 s`);
    expect(r.states.at(-1)).toEqual(['reconnecting', B, `failing over to ${B} in 0.3 s: closed (1006)`]);
    await vi.advanceTimersByTimeAsync(300);
    expect(net.sockets[1]!.url).toBe(B);
    expect(r.states.at(-1)).toEqual(['authorized', B, undefined]);
    expect(c.url).toBe(B);
    // B never saw a session from this miner: no resume id.
    expect(net.sockets[1]!.received[0]!.params).toEqual(['otedama-web/0.1.0']);

    net.sockets[1]!.drop();
    await vi.advanceTimersByTimeAsync(300);
    expect(net.sockets[2]!.url).toBe(A);
    // Back on A: resumes A's session (s1), not B's (s2).
    expect(net.sockets[2]!.received[0]!.params).toEqual(['otedama-web/0.1.0', 's1']);
    c.stop();
  });

  it('backs off exponentially (capped at 30 s) while every edge is down, and resets after a healthy session', async () => {
    net.modes.set(A, 'refuse');
    const { c, r } = client([A]);
    c.start();
    const delays: string[] = [];
    await vi.advanceTimersByTimeAsync(10);
    for (let i = 0; i < 9; i++) {
      const delay = /in ([\d.]+) s$/.exec(r.events.at(-1)!.text)![1]!;
      delays.push(delay);
      // The planned delay (rounded in the text; jitter is pinned low) plus the 5 ms refusal.
      await vi.advanceTimersByTimeAsync(Number(delay) * 1000 + 10);
      expect(r.events).toHaveLength(i + 2);
    }
    expect(r.events[0]!.text).toBe(`could not connect to ${A} (closed (1006)); reconnecting in 0.3 s`);
    expect(delays).toEqual(['0.3', '0.5', '1.0', '2.0', '4.0', '8.0', '15.0', '15.0', '15.0']);

    net.modes.set(A, 'up');
    await vi.advanceTimersByTimeAsync(15_010);
    expect(r.states.at(-1)![0]).toBe('authorized');
    await vi.advanceTimersByTimeAsync(10_000);
    net.sockets.at(-1)!.drop();
    expect(r.events.at(-1)!.text).toMatch(/reconnecting in 0.3 s$/);
    c.stop();
  });

  it('gives up on a connect that never opens after the connect timeout', async () => {
    net.modes.set(A, 'hang');
    net.modes.set(B, 'up');
    const { c, r } = client([A, B]);
    c.start();
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS - 1);
    expect(r.events).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.events[0]!.text).toBe(`could not connect to ${A} (no answer within 10 s); failing over to ${B} in 0.3 s`);
    expect(net.sockets[0]!.closedWith).toBe(4000);
    await vi.advanceTimersByTimeAsync(400);
    expect(r.states.at(-1)).toEqual(['authorized', B, undefined]);
    c.stop();
  });

  it('keeps the pool\'s error code on rejected shares; shares it cannot deliver are unsent, not rejected', async () => {
    net.modes.set(A, 'up');
    const { c } = client([A]);
    /** Lets the fake pool answer, then returns the verdict. */
    const settle = async <T>(p: Promise<T>): Promise<T> => {
      await vi.advanceTimersByTimeAsync(5);
      return p;
    };
    expect(await settle(c.submit('j1', '00000000', '66000000', '00000001'))).toEqual({ outcome: 'unsent', reason: 'not connected' });
    c.start();
    await vi.advanceTimersByTimeAsync(50);
    expect(await settle(c.submit('j1', '00000000', '66000000', '00000001'))).toEqual({ outcome: 'accepted' });
    net.submitAnswer = [21, 'Stale share (job is older than the current block)', null];
    expect(await settle(c.submit('j1', '00000000', '66000000', '00000002'))).toEqual({
      outcome: 'rejected',
      error: { code: 21, message: 'Stale share (job is older than the current block)' },
    });
    net.submitAnswer = [23, 'Low difficulty share', null];
    expect(await settle(c.submit('j1', '00000000', '66000000', '00000003'))).toEqual({ outcome: 'rejected', error: { code: 23, message: 'Low difficulty share' } });
    const last = net.sockets[0]!.received.at(-1)!;
    expect(last).toMatchObject({ method: 'mining.submit', params: ['bcrt1qexample.web', 'j1', '00000000', '66000000', '00000003'] });

    net.answerSubmits = false;
    const pending = c.submit('j1', '00000000', '66000000', '00000004');
    await vi.advanceTimersByTimeAsync(10);
    net.sockets[0]!.drop();
    expect(await pending).toEqual({ outcome: 'unsent', reason: 'connection lost' });
    c.stop();
  });

  it('stop closes the socket and never reconnects', async () => {
    net.modes.set(A, 'up');
    const { c, r } = client([A]);
    c.start();
    await vi.advanceTimersByTimeAsync(50);
    c.stop();
    c.stop();
    expect(net.sockets[0]!.closedWith).toBe(1000);
    expect(r.states.at(-1)![0]).toBe('stopped');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(net.sockets).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

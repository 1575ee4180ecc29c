/**
 * Stratum V1 over WebSocket: the browser's connection to the edge's job feed. Same messages
 * as the TCP port (subscribe, authorize, set_difficulty, notify, submit), so shares from a
 * browser go through exactly the validation path an ASIC's shares do. Reconnects with
 * exponential backoff and resumes the session id it was given.
 */
export interface StratumJob {
  jobId: string;
  prevhash: string;
  coinb1: string;
  coinb2: string;
  merkleBranch: string[];
  version: string;
  nbits: string;
  ntime: string;
  clean: boolean;
  /** Difficulty in force when this job arrived (set_difficulty applies from the next notify). */
  difficulty: number;
}

export interface StratumWsEvents {
  onJob(job: StratumJob): void;
  onState(state: 'connecting' | 'connected' | 'authorized' | 'disconnected', detail?: string): void;
  onExtranonce(extranonce1: string, extranonce2Size: number): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

const MAX_BACKOFF_MS = 30_000;

export class StratumWsClient {
  private ws: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private sessionId: string | undefined;
  private pendingDifficulty = 1;
  private stopped = false;
  private backoffMs = 500;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  extranonce1 = '';
  extranonce2Size = 4;

  constructor(
    private readonly url: string,
    private readonly user: string,
    private readonly events: StratumWsEvents,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.ws?.close(1000, 'stopped');
    this.ws = undefined;
    for (const p of this.pending.values()) p.reject(new Error('connection closed'));
    this.pending.clear();
  }

  /** Submits a share; resolves true when accepted, false with a reason when rejected. */
  async submit(jobId: string, extranonce2: string, ntime: string, nonce: string): Promise<{ accepted: boolean; reason?: string }> {
    try {
      const result = await this.request('mining.submit', [this.user, jobId, extranonce2, ntime, nonce]);
      return { accepted: result === true };
    } catch (err) {
      return { accepted: false, reason: (err as Error).message };
    }
  }

  private connect(): void {
    if (this.stopped) return;
    this.events.onState('connecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.backoffMs = 500;
      this.events.onState('connected');
      void this.handshake().catch((err: Error) => {
        this.events.onState('disconnected', err.message);
        ws.close();
      });
    };
    ws.onmessage = (ev) => this.onLine(String(ev.data));
    ws.onclose = () => {
      if (this.ws !== ws) return;
      for (const p of this.pending.values()) p.reject(new Error('connection lost'));
      this.pending.clear();
      if (this.stopped) return;
      this.events.onState('disconnected', `reconnecting in ${Math.round(this.backoffMs / 1000)} s`);
      this.reconnectTimer = setTimeout(() => this.connect(), this.backoffMs);
      this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    };
  }

  private async handshake(): Promise<void> {
    const params = this.sessionId ? ['otedama-web/0.1.0', this.sessionId] : ['otedama-web/0.1.0'];
    const sub = (await this.request('mining.subscribe', params)) as [unknown[], string, number];
    const subs = sub[0] as [string, string][];
    this.sessionId = subs.find?.((s) => s[0] === 'mining.notify')?.[1] ?? this.sessionId;
    this.extranonce1 = sub[1];
    this.extranonce2Size = sub[2];
    this.events.onExtranonce(this.extranonce1, this.extranonce2Size);
    const ok = await this.request('mining.authorize', [this.user, '']);
    if (ok !== true) throw new Error('authorization refused');
    this.events.onState('authorized');
  }

  private request(method: string, params: unknown[]): Promise<unknown> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error('not connected'));
    const id = this.nextId++;
    ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  private onLine(line: string): void {
    let msg: { id?: number | null; method?: string; params?: unknown[]; result?: unknown; error?: unknown };
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    if (msg.method) {
      this.onNotification(msg.method, msg.params ?? []);
      return;
    }
    if (typeof msg.id === 'number') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) {
        const e = msg.error as unknown[];
        p.reject(new Error(Array.isArray(e) ? String(e[1]) : JSON.stringify(e)));
      } else p.resolve(msg.result);
    }
  }

  private onNotification(method: string, params: unknown[]): void {
    switch (method) {
      case 'mining.set_difficulty':
        if (typeof params[0] === 'number' && params[0] > 0) this.pendingDifficulty = params[0];
        break;
      case 'mining.notify': {
        const [jobId, prevhash, coinb1, coinb2, merkleBranch, version, nbits, ntime, clean] = params as [
          string, string, string, string, string[], string, string, string, boolean,
        ];
        this.events.onJob({ jobId, prevhash, coinb1, coinb2, merkleBranch, version, nbits, ntime, clean: !!clean, difficulty: this.pendingDifficulty });
        break;
      }
      case 'mining.set_extranonce':
        this.extranonce1 = String(params[0]);
        this.extranonce2Size = Number(params[1]);
        this.events.onExtranonce(this.extranonce1, this.extranonce2Size);
        break;
      case 'client.reconnect':
        this.ws?.close();
        break;
    }
  }
}

/**
 * What a benchmark edge (peer-edge.ts --count-traffic) sends and receives, by protocol and by the
 * kind of peer (a page, on a WebSockets connection, or another edge, on TCP), what gossipsub sends
 * by topic and control message, its event loop's delay and the CPU time it used: counters the
 * browser benchmark reads at the start and the end of its measured window and subtracts
 * (apps/web/bench/p2p-browser-bench.ts --profile-network). Diagnostics only: nothing here changes
 * what the edge does.
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Per protocol and peer kind: bytes and frames each way, streams opened. */
export interface StreamCounts {
  streams: number;
  bytesOut: number;
  sendsOut: number;
  bytesIn: number;
  messagesIn: number;
}

/** What gossipsub put on its outbound streams, per peer kind. */
export interface GossipCounts {
  rpcs: number;
  /** Messages by topic (the shares topic, the templates topic). */
  messages: Record<string, number>;
  messageBytes: number;
  ihaveIds: number;
  iwantIds: number;
  idontwantIds: number;
  grafts: number;
  prunes: number;
}

export interface TrafficSnapshot {
  at: number;
  /** process.cpuUsage(): user and system µs. */
  cpuUserUs: number;
  cpuSystemUs: number;
  /** `${kind} ${protocol}` → counts. */
  streams: Record<string, StreamCounts>;
  gossip: Record<string, GossipCounts>;
  /** Connections open now, by peer kind. */
  connections: Record<string, number>;
  /** Read and write system calls so far (/proc/self/io; undefined off Linux): one socket write each per frame sent. */
  syscalls: { read: number; write: number } | undefined;
  /** The event loop's delay since the last snapshot (ms), then reset. */
  loopDelayMs: { p50: number; p99: number; max: number };
}

type Rpc = {
  messages?: { topic?: string; data?: Uint8Array; signature?: Uint8Array; key?: Uint8Array; from?: Uint8Array; seqno?: Uint8Array }[];
  control?: { ihave?: { messageIDs?: unknown[] }[]; iwant?: { messageIDs?: unknown[] }[]; idontwant?: { messageIDs?: unknown[] }[]; graft?: unknown[]; prune?: unknown[] };
};
type Sender = { sendRpc(id: string, rpc: Rpc): boolean; sendRpcInBatch(tosend: Set<string>, rpc: Rpc): void };

/** A page reaches an edge over WebSockets (or a relay); edges meet over TCP. */
const kindOf = (conn: Connection): string => (/\/tcp\/\d+(\/p2p\/[^/]+)?$/.test(conn.remoteAddr.toString()) ? 'edge' : 'page');

export class EdgeTraffic {
  private readonly streams = new Map<string, StreamCounts>();
  private readonly gossip = new Map<string, GossipCounts>();
  private readonly loop: IntervalHistogram;

  constructor(private readonly node: Libp2p, pubsub: unknown) {
    this.loop = monitorEventLoopDelay({ resolution: 5 });
    this.loop.enable();
    this.countGossip(pubsub as Sender);
  }

  /** Counts the streams of every protocol the node handles or dials (call after every handler is registered). */
  countStreams(extraProtocols: readonly string[]): void {
    for (const protocol of new Set([...this.node.getProtocols(), ...extraProtocols])) {
      this.node.use(protocol, (stream: Stream, conn: Connection, next: (s: Stream, c: Connection) => void) => {
        this.track(stream, `${kindOf(conn)} ${protocol}`);
        next(stream, conn);
      });
    }
  }

  private counts(key: string): StreamCounts {
    let c = this.streams.get(key);
    if (!c) this.streams.set(key, (c = { streams: 0, bytesOut: 0, sendsOut: 0, bytesIn: 0, messagesIn: 0 }));
    return c;
  }

  private track(stream: Stream, key: string): void {
    const c = this.counts(key);
    c.streams++;
    const send = stream.send.bind(stream);
    stream.send = (data) => {
      c.bytesOut += data.byteLength;
      c.sendsOut++;
      return send(data);
    };
    const dispatch = stream.dispatchEvent.bind(stream);
    stream.dispatchEvent = (evt: Event): boolean => {
      if (evt.type === 'message') {
        c.bytesIn += (evt as Event & { data: { byteLength: number } }).data.byteLength;
        c.messagesIn++;
      }
      return dispatch(evt);
    };
  }

  private countGossip(pubsub: Sender): void {
    const peerKind = (id: string): string => {
      const conns = this.node.getConnections().filter((c) => c.remotePeer.toString() === id);
      return conns.length ? kindOf(conns[0]!) : 'gone';
    };
    const count = (id: string, rpc: Rpc) => {
      const kind = peerKind(id);
      let g = this.gossip.get(kind);
      if (!g) this.gossip.set(kind, (g = { rpcs: 0, messages: {}, messageBytes: 0, ihaveIds: 0, iwantIds: 0, idontwantIds: 0, grafts: 0, prunes: 0 }));
      g.rpcs++;
      for (const m of rpc.messages ?? []) {
        const topic = (m.topic ?? '').split('/').slice(-2).join('/');
        g.messages[topic] = (g.messages[topic] ?? 0) + 1;
        g.messageBytes += (m.data?.length ?? 0) + (m.signature?.length ?? 0) + (m.key?.length ?? 0) + (m.from?.length ?? 0) + (m.seqno?.length ?? 0);
      }
      const ids = (xs: { messageIDs?: unknown[] }[] | undefined) => (xs ?? []).reduce((n, x) => n + (x.messageIDs?.length ?? 0), 0);
      g.ihaveIds += ids(rpc.control?.ihave);
      g.iwantIds += ids(rpc.control?.iwant);
      g.idontwantIds += ids(rpc.control?.idontwant);
      g.grafts += rpc.control?.graft?.length ?? 0;
      g.prunes += rpc.control?.prune?.length ?? 0;
    };
    const sendRpc = pubsub.sendRpc.bind(pubsub);
    // After the call: gossipsub piggybacks pending control and IHAVEs onto the RPC it sends.
    pubsub.sendRpc = (id, rpc) => {
      const sent = sendRpc(id, rpc);
      if (sent) count(id, rpc);
      return sent;
    };
    const inBatch = pubsub.sendRpcInBatch.bind(pubsub);
    pubsub.sendRpcInBatch = (tosend, rpc) => {
      inBatch(tosend, rpc);
      for (const id of tosend) count(id, rpc);
    };
  }

  snapshot(): TrafficSnapshot {
    const cpu = process.cpuUsage();
    const connections: Record<string, number> = {};
    for (const c of this.node.getConnections()) connections[kindOf(c)] = (connections[kindOf(c)] ?? 0) + 1;
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    const loopDelayMs = { p50: ms(this.loop.percentile(50)), p99: ms(this.loop.percentile(99)), max: ms(this.loop.max) };
    this.loop.reset();
    return {
      at: Date.now(),
      cpuUserUs: cpu.user,
      cpuSystemUs: cpu.system,
      streams: structuredClone(Object.fromEntries(this.streams)),
      gossip: structuredClone(Object.fromEntries(this.gossip)),
      connections,
      syscalls: syscalls(),
      loopDelayMs,
    };
  }
}

function syscalls(): { read: number; write: number } | undefined {
  try {
    const io = readFileSync('/proc/self/io', 'utf8');
    return { read: Number(/^syscr: (\d+)/m.exec(io)?.[1]), write: Number(/^syscw: (\d+)/m.exec(io)?.[1]) };
  } catch {
    return undefined;
  }
}

/**
 * The page as a peer of the pool's network, from Start to Stop: it learns the pool from the edges
 * (pool-directory.ts), opens its chain in a worker (chain-worker.ts) and its stored window
 * (window-store.ts: restored and verified first, then synced for what is missing, with progress),
 * starts its libp2p node (peer-node.ts), keeps a connection to every edge it knows (dialed side by
 * side, redialed with backoff: redial-plan.ts), meets other browsers through the edges' relays
 * and upgrades to WebRTC, takes signed templates from trusted edges only (template-book.ts), keeps
 * every share it accepts, and gossips the shares its miner finds, or keeps them in the outbox
 * until a peer can take them.
 *
 * Nothing here exists before Start: main.ts imports this module when the person presses it.
 */
import * as Comlink from 'comlink';
import { peerIdFromMultihash } from '@libp2p/peer-id';
import { TopicValidatorResult } from '@libp2p/gossipsub';
import { addressToScript, bytesToHex, decodeTemplate, hexToBytes, P2pCodecError, type Network, type SignedTemplate } from '@otedama/core';
import { createLogger, DEFAULT_RATE_LIMITS, type ChainHost, type Logger, type ShareVerdict, type SyncProgress } from '@otedama/edge/peer';
import * as Digest from 'multiformats/hashes/digest';
import type { MinerEvent } from '../miner.ts';
import type { ChainWorkerApi } from './chain-worker.ts';
import type { EarningsSummary, MiningCoin, PageVerdict, ShareSource } from './page-chain.ts';
import { dialsFirst } from './dial-role.ts';
import { PeerNode, type PeerView } from './peer-node.ts';
import type { EdgeEntry, PoolDirectory } from './pool-directory.ts';
import { RedialPlan } from './redial-plan.ts';
import { TemplateBook } from './template-book.ts';
import { openWindowStore, type WindowStore } from './window-store.ts';

/** How often the session looks at its edges, outbox and store (ms). */
const TICK_MS = 1000;
/**
 * Outbox shares gossiped per tick: half the gossip rate an edge allows one peer on average
 * (DEFAULT_RATE_LIMITS), leaving the rest for relayed shares. Flushed at once, a page that mined
 * hundreds of shares while cut off was banned by the edge it came back to ("gossip over its rate").
 */
export const OUTBOX_SHARES_PER_TICK = Math.floor((DEFAULT_RATE_LIMITS.gossipPerSecond * TICK_MS) / 1000 / 2);
/** How often edges are asked to introduce other browsers (ms). */
const INTRODUCE_EVERY_MS = 5_000;
/** Browsers a page keeps WebRTC connections to (gossipsub's mesh wants 6 to 12 peers). */
export const TARGET_BROWSER_PEERS = 8;
/** A catch-up sync this often (ms): gossip reaches mesh peers only; a share missed while a mesh formed comes with it. */
const CATCH_UP_EVERY_MS = 20_000;
/** Accepted shares are written to IndexedDB in batches at most this often (ms). */
const STORE_FLUSH_MS = 1000;
/** Old shares are pruned from the chain and the store after this many new ones. */
const PRUNE_EVERY_SHARES = 200;
/**
 * While no edge is connected the page prunes nothing, up to this many stored shares (a few MB):
 * an edge that comes back then finds its own tip in the page's chain and syncs everything mined
 * meanwhile in full, the blocks among it included (an edge rebuilds a block's coinbase from its
 * window; pruned below its tip, it could take the chain only from a root, and a block whose window
 * reaches below that root is never submitted). A page alone for hours prunes again past it.
 */
const PRUNE_HOLD_MAX_SHARES = 20_000;
/** …and for this long after an edge is back (ms): its sync of what it missed comes first. */
const PRUNE_HOLD_AFTER_EDGE_MS = 60_000;
/** Share arrivals remembered (for propagation figures and tests). */
const REMEMBERED_ARRIVALS = 4096;
/** Log lines kept for diagnostics. */
const LOG_LINES = 200;
/** Sync progress reports kept (the dashboard's last runs; tests read them). */
const SYNC_REPORTS = 64;
/** Blocks this page found, remembered for the dashboard. */
const OWN_BLOCKS = 32;
/** WebRTC dials remembered (how long meeting a browser takes: the benchmark reads them). */
const REMEMBERED_DIALS = 256;

export type EdgeLinkState = 'connected' | 'connecting' | 'waiting';

export interface EdgeLink {
  readonly origin: string;
  readonly peerId: string;
  readonly state: EdgeLinkState;
  /** Next dial in (ms), when waiting. */
  readonly retryInMs?: number;
  readonly failures: number;
}

export interface RestoreProgress {
  readonly done: number;
  readonly of: number;
}

export interface PeerSessionState {
  readonly peerId: string;
  readonly poolId: string;
  readonly network: string;
  readonly edges: readonly EdgeLink[];
  readonly peers: readonly (PeerView & { readonly kind: 'edge' | 'browser' })[];
  readonly restore: RestoreProgress | undefined;
  readonly sync: SyncProgress;
  readonly tip: { readonly height: number; readonly id: string } | undefined;
  readonly template: { readonly height: number; readonly signer: string; readonly ageMs: number; readonly stale: string | undefined } | undefined;
  readonly outbox: number;
  readonly storedShares: number;
  readonly persistent: boolean;
  /** Blocks this page's miner found (share ids, hex), oldest first. */
  readonly ownBlocks: readonly string[];
  /** Shares this page's miner found and its chain accepted, and the last one's id. */
  readonly ownShares: number;
  readonly lastOwnShare: string | undefined;
}

export interface PeerSessionOptions {
  /** The pool and its edges, as their /api/sharechain answers described them (discoverPool). */
  readonly directory: PoolDirectory;
  readonly onEvent: (event: MinerEvent) => void;
  readonly iceServers?: RTCIceServer[];
  readonly now?: () => number;
}

export type OwnShareOutcome =
  | { readonly outcome: 'gossiped'; readonly peers: number; readonly isBlock: boolean }
  | { readonly outcome: 'kept'; readonly isBlock: boolean }
  | { readonly outcome: 'rejected'; readonly reason: string };

export class PeerSession {
  readonly directory: PoolDirectory;
  readonly node: PeerNode;
  readonly book: TemplateBook;
  /** The node's log lines (diagnostics), newest last. */
  readonly log: string[];
  private readonly api: Comlink.Remote<ChainWorkerApi>;
  private readonly worker: Worker;
  private readonly store: WindowStore;
  private readonly now: () => number;
  private readonly plan: RedialPlan;
  private readonly edgeByPeer = new Map<string, EdgeEntry>();
  private readonly workListeners = new Set<() => void>();
  private readonly pending: { id: string; height: number; bytes: Uint8Array }[] = [];
  private readonly arrivals = new Map<string, number>();
  /** Verdicts of a sync batch judged as a whole (by the very byte arrays the sync run offers next), taken once each. */
  private readonly preverified = new WeakMap<Uint8Array, PageVerdict>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastIntroductions = 0;
  private lastCatchUp = 0;
  private lastFlush = 0;
  private sinceLastPrune = 0;
  /** When the page last had no edge (ms): pruning waits a while after (PRUNE_HOLD_AFTER_EDGE_MS). */
  private lastAlone = 0;
  private restoring: RestoreProgress | undefined;
  private tipCache: { height: number; id: string } | undefined;
  private outboxCount = 0;
  private stored = 0;
  private workKey = '';
  private stopped = false;
  private ticking = false;
  private readonly ownBlocks: string[] = [];
  /** A sync run has finished since Start: only then does the page mine (on the chain its peers hold). */
  private synced = false;
  /**
   * Browser dials through a relay to a direct WebRTC connection: how long each took (ms), whether
   * it worked, and when the peer was admitted by the pool-id handshake (ms from the dial's start:
   * from then on gossip flows; absent while pending or when it was refused).
   */
  readonly webrtcDials: { ms: number; ok: boolean; error?: string; admittedMs?: number }[] = [];
  /** Browsers being dialed now (peer ids). */
  private readonly dialing = new Set<string>();
  private ownShares = 0;
  private lastOwnShare: string | undefined;
  /** The sync progress reports of recent runs, oldest first (what the page showed). */
  readonly syncReports: SyncProgress[] = [];

  private constructor(
    private readonly options: PeerSessionOptions,
    parts: { directory: PoolDirectory; worker: Worker; api: Comlink.Remote<ChainWorkerApi>; store: WindowStore; logger: Logger; log: string[] },
  ) {
    this.directory = parts.directory;
    this.log = parts.log;
    this.worker = parts.worker;
    this.api = parts.api;
    this.store = parts.store;
    this.now = options.now ?? Date.now;
    this.plan = new RedialPlan(this.now);
    const poolId = hexToBytes(parts.directory.poolId, 32, 'pool id');
    this.book = new TemplateBook(poolId, this.now);
    this.book.trust(parts.directory.edges.map((e) => e.peerId));
    for (const e of parts.directory.edges) {
      this.edgeByPeer.set(e.peerId, e);
      this.plan.add(e.peerId);
    }
    this.node = new PeerNode({
      poolId,
      host: this.host('gossip'),
      syncHost: this.host('sync'),
      logger: parts.logger,
      ...(options.iceServers ? { iceServers: options.iceServers } : {}),
      validateTemplate: (peer, data) => this.validateTemplate(peer, data),
      preverifySyncBatch: (shares) => this.preverify(shares),
      onPeer: (peer, admitted) => this.onPeer(peer, admitted),
      onSyncProgress: (p) => {
        this.syncReports.push(p);
        if (this.syncReports.length > SYNC_REPORTS) this.syncReports.shift();
        if (!this.synced && (p.state === 'synced' || p.state === 'failed')) {
          this.synced = true;
          this.workChanged();
        }
      },
    });
  }

  /** Joins the pool's network described by `options.directory`: throws PeerNetworkError when the node cannot start. */
  static async start(options: PeerSessionOptions): Promise<PeerSession> {
    const { directory } = options;
    for (const p of directory.problems) options.onEvent({ level: 'warn', text: `edge left out: ${p}` });
    const log: string[] = [];
    const logger = createLogger({
      level: 'info',
      format: 'text',
      write: (line) => {
        log.push(line);
        if (log.length > LOG_LINES) log.shift();
      },
    });
    const worker = new Worker(new URL('./chain-worker.ts', import.meta.url), { type: 'module', name: 'otedama-chain' });
    const api = Comlink.wrap<ChainWorkerApi>(worker);
    let store: WindowStore | undefined;
    try {
      await api.open(directory.params, directory.poolId);
      const opened = await openWindowStore(directory.poolId);
      store = opened.store;
      if (opened.problem) options.onEvent({ level: 'warn', text: opened.problem });
      const session = new PeerSession(options, { directory, worker, api, store, logger, log });
      await session.begin();
      return session;
    } catch (err) {
      store?.close();
      worker.terminate();
      throw err;
    }
  }

  private async begin(): Promise<void> {
    const { onEvent } = this.options;
    onEvent({ level: 'info', text: `joining pool ${this.directory.poolId.slice(0, 16)}… through ${this.directory.edges.length} edge(s)` });
    // The stored window first: verified again, share by share, before any peer is asked for more.
    const stored = await this.store.load();
    if (stored.length) {
      this.restoring = { done: 0, of: stored.length };
      const t0 = this.now();
      // Progress calls come over a port of their own: the last may land after the answer, and
      // must not bring the "verifying" state back once the restore is over.
      let over = false;
      const r = await this.api.restore(
        stored,
        Comlink.proxy((done: number) => {
          if (!over) this.restoring = { done, of: stored.length };
        }),
      );
      over = true;
      this.restoring = undefined;
      this.stored = stored.length;
      await this.refreshTip();
      onEvent({ level: 'info', text: `resumed from ${r.restored} stored share(s), verified in ${((this.now() - t0) / 1000).toFixed(1)} s${r.dropped ? ` (${r.dropped} did not verify and were dropped)` : ''}` });
    }
    this.outboxCount = (await this.store.outbox()).length;
    await this.node.start();
    onEvent({ level: 'info', text: `peer ${this.node.peerId.slice(-8)} started` });
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    void this.tick();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
    await this.node.stop();
    this.store.close();
    this.worker.terminate();
  }

  /** Listens for new work (a new template or a new tip); returns an unsubscribe function. */
  onWork(listener: () => void): () => void {
    this.workListeners.add(listener);
    return () => this.workListeners.delete(listener);
  }

  private workChanged(): void {
    for (const l of [...this.workListeners]) l();
  }

  /** The chain worker (jobs and sealing for the miner, summaries for the dashboard). */
  get chain(): Comlink.Remote<ChainWorkerApi> {
    return this.api;
  }

  /** The template to mine on now, as the chain job wants it (none until the window is synced). */
  miningCoin(): MiningCoin | undefined {
    const t = this.book.current()?.template;
    if (!t || !this.synced) return undefined;
    return {
      prevHash: t.prevHash,
      height: t.height,
      bits: t.bits,
      reward: t.reward,
      mandatedOutputs: t.mandatedOutputs,
      merkleBranch: t.merkleBranch,
      headerVersion: t.headerVersion,
      curtime: t.curtime + Math.max(0, Math.floor((this.now() - t.issuedAt) / 1000)),
    };
  }

  /** Why there is no work now, if there is none. */
  noWorkReason(): string | undefined {
    if (!this.synced) {
      const p = this.node.syncProgress();
      return this.restoring ? 'verifying the stored window' : `syncing the window${p.percent !== undefined ? ` (${Math.floor(p.percent)} %)` : ''}`;
    }
    if (this.book.current()) return undefined;
    const last = this.book.last();
    if (last?.stale) return `the last template is ${last.stale}; waiting for an edge`;
    return 'waiting for a template from an edge';
  }

  // ---- shares ---------------------------------------------------------------------------------

  /** A sync batch judged in one worker call; the sync run's offers of its shares then take these verdicts. */
  private async preverify(shares: readonly Uint8Array[]): Promise<void> {
    if (!shares.length) return;
    const verdicts = await this.api.receiveBatch([...shares], 'sync');
    verdicts.forEach((v, i) => this.preverified.set(shares[i]!, v));
  }

  private host(source: ShareSource): ChainHost {
    const api = this.api;
    return {
      poolId: hexToBytes(this.directory.poolId, 32, 'pool id'),
      receiveShare: async (bytes, options) => {
        // A share of a batch judged as it arrived (same order, same history rule: page-chain.ts
        // receiveBatch) answers from that; anything else (gossip, an orphan retried) asks the worker.
        const pre = source === 'sync' ? this.preverified.get(bytes) : undefined;
        if (pre) this.preverified.delete(bytes);
        const v = pre ?? (await api.receive(bytes, source, options?.history ?? false));
        if (v.verdict.result === 'accepted') this.accepted(bytes, v.key!, v.height!, v.tipMoved === true);
        return v.verdict;
      },
      sharesById: (ids) => api.sharesById([...ids]),
      sharesAfter: (locator, max) => api.sharesAfter([...locator], max),
      locator: () => api.locator(),
      tip: () => api.tip(),
    };
  }

  private accepted(bytes: Uint8Array, key: string, height: number, tipMoved: boolean): void {
    if (!this.arrivals.has(key)) {
      this.arrivals.set(key, this.now());
      if (this.arrivals.size > REMEMBERED_ARRIVALS) this.arrivals.delete(this.arrivals.keys().next().value as string);
    }
    this.pending.push({ id: key, height, bytes });
    this.sinceLastPrune++;
    if (tipMoved) {
      this.tipCache = { height, id: key };
      this.workChanged();
    }
  }

  /** When (ms since the epoch) a share (hex id) was first accepted here; for propagation figures. */
  arrivedAt(key: string): number | undefined {
    return this.arrivals.get(key);
  }

  /** Every remembered arrival: share id (hex) -> ms since the epoch. */
  arrivalTimes(): Record<string, number> {
    return Object.fromEntries(this.arrivals);
  }

  /**
   * A share the page's miner found: validated by its own chain like any other, then gossiped, or
   * kept in the outbox when no peer listens (and gossiped once one does).
   */
  async submitOwn(bytes: Uint8Array): Promise<OwnShareOutcome> {
    const v = await this.api.receive(bytes, 'own', false);
    if (v.verdict.result !== 'accepted') return { outcome: 'rejected', reason: verdictText(v.verdict) };
    this.accepted(bytes, v.key!, v.height!, v.tipMoved === true);
    this.ownShares++;
    this.lastOwnShare = v.key;
    const isBlock = v.isBlock === true;
    if (isBlock) {
      this.ownBlocks.push(v.key!);
      if (this.ownBlocks.length > OWN_BLOCKS) this.ownBlocks.shift();
      this.options.onEvent({ level: 'info', text: `this page found a block (share ${v.key!.slice(0, 12)}…); it goes to the edges, which submit it` });
    }
    if (this.node.shareListeners() > 0) {
      try {
        return { outcome: 'gossiped', peers: await this.node.publishShare(bytes), isBlock };
      } catch (err) {
        this.options.onEvent({ level: 'warn', text: `share not gossiped (${(err as Error).message}); kept to try again` });
      }
    }
    await this.store.addOutbox({ id: v.key!, bytes, at: this.now() });
    this.outboxCount++;
    return { outcome: 'kept', isBlock };
  }

  private async flushOutbox(): Promise<void> {
    if (!this.outboxCount || this.node.shareListeners() === 0) return;
    let sent = 0;
    let late = 0;
    let oldest = Infinity;
    try {
      // Oldest first (a share's parent before it), at most a tick's allowance; the rest next tick.
      const kept = (await this.store.outbox()).sort((a, b) => a.at - b.at).slice(0, OUTBOX_SHARES_PER_TICK);
      const open = await this.api.gossipable(kept.map((s) => s.bytes));
      for (const [i, s] of kept.entries()) {
        if (!open[i]) {
          // Built on a coin block the coin has moved past: no peer takes it as new work (gossiping
          // it would only be refused); it stays in this page's chain, which peers sync.
          await this.store.removeOutbox(s.id);
          late++;
          continue;
        }
        try {
          const peers = await this.node.publishShare(s.bytes);
          if (peers === 0) break;
        } catch (err) {
          // Already gossiped (gossipsub knows its id): it went out before, nothing to keep.
          if (!/Duplicate/i.test((err as Error).message)) break;
        }
        await this.store.removeOutbox(s.id);
        sent++;
        oldest = Math.min(oldest, s.at);
      }
    } finally {
      // Shares kept meanwhile were counted by submitOwn; those gone out (or left to sync) are taken off.
      this.outboxCount = Math.max(0, this.outboxCount - sent - late);
    }
    if (late) this.options.onEvent({ level: 'info', text: `${late} kept share(s) built on a coin block the coin has since moved past: not gossiped (peers take them by syncing this page's chain)` });
    if (sent) this.options.onEvent({ level: 'info', text: `${sent} share(s) found while no peer was reachable (the oldest ${Math.round((this.now() - oldest) / 1000)} s ago): gossiped now${this.outboxCount ? `, ${this.outboxCount} to go` : ''}` });
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0);
    if (batch.length) {
      await this.store.put(batch);
      this.stored += batch.length;
    }
    if (!this.node.admittedPeers().some((p) => this.edgeByPeer.has(p))) this.lastAlone = this.now();
    const holding = this.now() - this.lastAlone < PRUNE_HOLD_AFTER_EDGE_MS && this.stored <= PRUNE_HOLD_MAX_SHARES;
    if (this.sinceLastPrune >= PRUNE_EVERY_SHARES && !holding) {
      this.sinceLastPrune = 0;
      const removed = await this.api.prune();
      if (removed.length) {
        await this.store.remove(removed);
        this.stored = Math.max(0, this.stored - removed.length);
      }
    }
  }

  private async refreshTip(): Promise<void> {
    const t = await this.api.tip();
    this.tipCache = t ? { height: t.height, id: bytesToHex(t.id) } : undefined;
  }

  // ---- templates ------------------------------------------------------------------------------

  private async validateTemplate(peer: string, data: Uint8Array): Promise<TopicValidatorResult> {
    let signed: SignedTemplate;
    try {
      signed = decodeTemplate(data);
    } catch (err) {
      if (err instanceof P2pCodecError) return TopicValidatorResult.Reject;
      throw err;
    }
    const r = await this.offerTemplate(signed, `gossip from ${peer.slice(-8)}`);
    return r === 'bad' ? TopicValidatorResult.Reject : r === 'accepted' ? TopicValidatorResult.Accept : TopicValidatorResult.Ignore;
  }

  /** Checks and takes a template: 'bad' (malformed, forged: the sender pays), 'ignored', or 'accepted'. */
  private async offerTemplate(signed: SignedTemplate, via: string): Promise<'bad' | 'ignored' | 'accepted'> {
    let signer;
    try {
      signer = peerIdFromMultihash(Digest.decode(signed.template.signer));
    } catch {
      return 'bad';
    }
    const signerId = signer.toString();
    const verdict = this.book.check(signed, signerId);
    if (verdict.result === 'other-pool') return 'bad';
    if (verdict.result !== 'acceptable') return 'ignored';
    const key = signer.publicKey;
    if (!key || !(await key.verify(signed.signedBytes, signed.signature))) {
      this.options.onEvent({ level: 'warn', text: `a template claiming edge ${signerId.slice(-8)} has a forged signature (${via}); refused` });
      return 'bad';
    }
    const before = this.workKey;
    if (!this.book.accept(signed, signerId)) return 'ignored';
    const t = signed.template;
    await this.api.coinTip(t.prevHash, { height: t.height, bits: t.bits, maxReward: t.reward });
    this.workKey = TemplateBook.workKey(t);
    if (this.workKey !== before) {
      this.options.onEvent({ level: 'info', text: `template for coin block ${t.height} from edge ${signerId.slice(-8)} (${via})` });
      this.workChanged();
    }
    return 'accepted';
  }

  private async askTemplate(edge: string): Promise<void> {
    try {
      await this.offerTemplate(await this.node.requestTemplate(edge), `asked edge ${edge.slice(-8)}`);
    } catch (err) {
      this.options.onEvent({ level: 'warn', text: `edge ${edge.slice(-8)} gave no template: ${(err as Error).message}` });
    }
  }

  // ---- peers ----------------------------------------------------------------------------------

  private onPeer(peer: string, admitted: boolean): void {
    const edge = this.edgeByPeer.get(peer);
    if (!admitted) {
      if (edge) {
        this.plan.lost(peer);
        this.options.onEvent({ level: 'warn', text: `edge ${edge.origin} went away; redialing it (other edges and browsers carry on)` });
      }
      return;
    }
    if (edge) {
      this.plan.connected(peer);
      this.options.onEvent({ level: 'info', text: `connected to edge ${edge.origin}` });
      void this.askTemplate(peer);
      this.lastIntroductions = 0;
    } else {
      this.options.onEvent({ level: 'info', text: `connected to browser ${peer.slice(-8)}` });
    }
    // A new peer may hold shares this page missed (or need its outbox): catch up now.
    this.lastCatchUp = 0;
  }

  private async dialEdge(peer: string): Promise<void> {
    const edge = this.edgeByPeer.get(peer)!;
    for (const addr of edge.dial) {
      try {
        await this.node.dial(addr);
        if (await this.node.whenAdmitted(peer)) return;
      } catch {
        // the next address, or a later try
      }
    }
    const delay = this.plan.failed(peer);
    if (this.plan.failures(peer) === 1 || this.plan.failures(peer) % 5 === 0) {
      this.options.onEvent({ level: 'warn', text: `edge ${edge.origin} unreachable; next try in ${(delay / 1000).toFixed(1)} s` });
    }
  }

  private async introduce(): Promise<void> {
    const browsers = this.node.peers().filter((p) => !this.edgeByPeer.has(p.id) && p.transports.includes('webrtc')).length;
    if (browsers >= TARGET_BROWSER_PEERS) return;
    for (const edgeId of this.node.admittedPeers().filter((p) => this.edgeByPeer.has(p))) {
      let peers: string[];
      try {
        peers = await this.node.requestIntroductions(edgeId, TARGET_BROWSER_PEERS);
      } catch {
        continue;
      }
      const edge = this.edgeByPeer.get(edgeId)!;
      const self = this.node.peerId;
      for (const peer of peers) {
        // One dialer per pair (dial-role.ts: by the pair's hash, so a page of any id dials about
        // half its introductions), so two browsers never race to meet each other.
        // One dial at a time per browser: both edges introduce the same pages, and a dial on a busy
        // machine outlasts the next round of introductions; a second WebRTC setup beside the first
        // only makes one of them fail.
        if (!dialsFirst(self, peer) || this.edgeByPeer.has(peer) || this.dialing.has(peer) || this.hasDirect(peer)) continue;
        // Through the edge's relay, then a direct WebRTC connection (the relayed one only signals).
        const t0 = this.now();
        this.dialing.add(peer);
        const done = (ok: boolean, error?: unknown) => {
          this.dialing.delete(peer);
          const dial: (typeof this.webrtcDials)[number] = { ms: this.now() - t0, ok, ...(ok ? {} : { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }) };
          this.webrtcDials.push(dial);
          if (this.webrtcDials.length > REMEMBERED_DIALS) this.webrtcDials.shift();
          if (ok) void this.node.whenAdmitted(peer).then((admitted) => admitted && (dial.admittedMs = this.now() - t0));
        };
        void this.node.dial(`${edge.dial[0]}/p2p-circuit/webrtc/p2p/${peer}`).then(
          () => done(true),
          (err: unknown) => done(false, err),
        );
      }
    }
  }

  private hasDirect(peer: string): boolean {
    return this.node.peers().some((p) => p.id === peer && p.transports.includes('webrtc'));
  }

  private async tick(): Promise<void> {
    // One tick at a time: a slow store write must not let the next tick flush the same outbox.
    if (this.stopped || this.ticking) return;
    this.ticking = true;
    try {
      await this.tickOnce();
    } finally {
      this.ticking = false;
    }
  }

  private async tickOnce(): Promise<void> {
    const now = this.now();
    for (const peer of this.plan.due()) void this.dialEdge(peer);
    if (now - this.lastIntroductions >= INTRODUCE_EVERY_MS && this.node.admittedPeers().some((p) => this.edgeByPeer.has(p))) {
      this.lastIntroductions = now;
      void this.introduce();
    }
    if (now - this.lastCatchUp >= CATCH_UP_EVERY_MS && this.node.admittedPeers().length > 0) {
      this.lastCatchUp = now;
      void this.node.sync().then(() => this.refreshTip());
    }
    if (now - this.lastFlush >= STORE_FLUSH_MS) {
      this.lastFlush = now;
      await this.flush().catch((err: unknown) => this.options.onEvent({ level: 'warn', text: `could not store shares: ${(err as Error).message}` }));
      await this.flushOutbox().catch(() => undefined);
    }
    // A template that went stale is work that stopped: tell the miner.
    if (!this.book.current() && this.workKey) {
      this.workKey = '';
      this.workChanged();
    }
  }

  // ---- what the dashboard shows ---------------------------------------------------------------

  state(): PeerSessionState {
    const last = this.book.last();
    return {
      peerId: this.node.peerId,
      poolId: this.directory.poolId,
      network: this.directory.network,
      edges: this.directory.edges.map((e) => {
        const connected = this.node.isAdmitted(e.peerId);
        const wait = this.plan.waitMs(e.peerId);
        return { origin: e.origin, peerId: e.peerId, state: connected ? 'connected' : wait > 0 ? 'waiting' : 'connecting', ...(wait > 0 && !connected ? { retryInMs: wait } : {}), failures: this.plan.failures(e.peerId) };
      }),
      peers: this.node.peers().map((p) => ({ ...p, kind: this.edgeByPeer.has(p.id) ? 'edge' : 'browser' })),
      restore: this.restoring,
      sync: this.node.syncProgress(),
      tip: this.tipCache,
      template: last ? { height: last.template.height, signer: last.signer, ageMs: this.now() - last.template.issuedAt, stale: last.stale } : undefined,
      outbox: this.outboxCount,
      storedShares: this.stored,
      persistent: this.store.persistent,
      ownBlocks: [...this.ownBlocks],
      ownShares: this.ownShares,
      lastOwnShare: this.lastOwnShare,
    };
  }

  /** The output script of a payout address on the pool's coin (throws InvalidAddressError). */
  scriptOf(address: string): Uint8Array {
    return addressToScript(address, this.directory.network as Network);
  }

  /** The money for `script` (the payout address's output script). */
  summary(script: Uint8Array): Promise<EarningsSummary> {
    const coin = this.miningCoin() ?? lastCoin(this.book);
    return this.api.summary(script, coin ? { prevHash: coin.prevHash, reward: coin.reward, bits: coin.bits } : undefined);
  }
}

function lastCoin(book: TemplateBook): { prevHash: Uint8Array; reward: bigint; bits: number } | undefined {
  const t = book.last()?.template;
  return t ? { prevHash: t.prevHash, reward: t.reward, bits: t.bits } : undefined;
}

function verdictText(v: ShareVerdict): string {
  switch (v.result) {
    case 'invalid':
    case 'deferred':
      return v.reason;
    case 'orphan':
      return 'its parent is not known here';
    case 'duplicate':
      return 'already in the chain';
    case 'accepted':
      return 'accepted';
  }
}


/**
 * The miner runtime: what happens between a person's Start and a running miner, for every page
 * that mines (the web app's main.ts, the widget's frame in apps/widget, and through the web app
 * the rig's headless browsers): load the miner code, learn the pool's chain and algorithm, check
 * the settings for them, take the one-tab mining lock, build and start the miner of the pool's
 * algorithm (miner-algorithms.ts: SHA-256d's BrowserMiner, KawPow's KawpowMiner), then give way to the
 * person's courtesy preferences. One place, so that when the miner becomes a peer of the network
 * every page that composes this inherits it.
 *
 * Loaded before Start it carries no miner code: the miners and address-check.ts are imported by
 * openMinerRuntime(), which only a Start (a click) calls.
 *
 * The pool's network comes first: when the edges describe a sharechain (GET /api/sharechain), the
 * page joins it as a peer (p2p/peer-session.ts: libp2p, its own chain in a worker, the window in
 * IndexedDB) and the miner takes its work from the chain (p2p/chain-job-client.ts); otherwise it
 * mines through the edge's Stratum feed, as before. libp2p and the chain worker load only here.
 *
 * Wiring:
 *   const rt = await openMinerRuntime({ wanted, cores, worker: 'web', log });   // throws SettingsError, MiningBusyError
 *   // ... the page shows it is mining, then:
 *   await rt.start({ onStats, onEvent });                                       // workers, socket, courtesy
 *   rt.setIntensity(0.5); rt.setCourtesyPrefs({ whenHidden, onBattery });
 *   await rt.stop();                                                            // idempotent: courtesy, miner, lock
 * A failed start() leaves nothing running but the lock: call stop() to release it.
 */
import type { Network } from '@otedama/core';
import { browserCourtesyEnv, watchCourtesy, type CourtesyEnv, type CourtesyPrefs, type CourtesyWatcher } from './courtesy.ts';
import { MiningBusyError, MiningLockError, SettingsError } from './errors.ts';
import type { MinerEvent, MinerOptions, MinerStats, PageMiner } from './miner.ts';
import type { PeerSession } from './p2p/peer-session.ts';
import { acquireMiningLock, type MiningLock } from './mining-lock.ts';
import { checkSettings, edgeHttpOrigin, pageEdgeUrl, poolAlgorithm, type Settings } from './settings.ts';

export interface RuntimeRequest {
  /** The settings as the person gave them; checked against the pool's chain here. */
  wanted: Settings;
  /** Cores of this device (navigator.hardwareConcurrency): the most CPU threads allowed. */
  cores: number;
  /** Stratum worker name ("web", "widget"...): up to 64 letters, digits, "_" or "-". */
  worker: string;
  /** Where the courtesy watcher says what it can and cannot observe. */
  log?: (level: 'info' | 'warn', text: string) => void;
  /** The page's URL, for its own edge when `wanted.edges` is empty (default: location.href). */
  pageUrl?: string;
  /** More courtesy wiring that needs the running miner (added to browserCourtesyEnv's). */
  courtesy?: (miner: PageMiner) => Partial<CourtesyEnv>;
}

export interface RuntimeHandlers {
  onStats(stats: MinerStats): void;
  onEvent(event: MinerEvent): void;
}

export interface MinerRuntime {
  /** The checked settings (trimmed address, the pool's chain known good). */
  readonly settings: Settings;
  /** Job feed URLs in failover order. */
  readonly edges: string[];
  /** The chain the pool mines, as its edge named it. */
  readonly network: Network;
  /** The page as a peer of the pool's sharechain (undefined: it mines through Stratum). */
  readonly peer: PeerSession | undefined;
  /** The miner once start() built it. */
  readonly miner: PageMiner | undefined;
  /** Whether the one-tab lock is enforced by the browser (Web Locks). */
  readonly lockEnforced: boolean;
  /** Builds and starts the miner (workers and job socket), then watches courtesy. Throws the miner's error. */
  start(handlers: RuntimeHandlers): Promise<void>;
  /** The person's intensity 0.1..1. */
  setIntensity(intensity: number): void;
  /** New courtesy preferences while mining. */
  setCourtesyPrefs(prefs: CourtesyPrefs): void;
  /** Resolves when the miner has taken up the next job (at once when not mining). */
  nextJob(): Promise<void>;
  /** Stops courtesy, the miner and releases the lock; idempotent. */
  stop(): Promise<void>;
}

/**
 * Every stats update is also dispatched on the page's window as `CustomEvent(MINER_STATS_EVENT,
 * { detail: MinerStats & { peers } })`: the automation hook the rig (apps/rig) reads its browsers' figures
 * from. A page's own scripts can read the same figures from its DOM; nothing leaves the page.
 */
export const MINER_STATS_EVENT = 'otedama:stats';

/** What the one-tab lock refusal says (the web e2e matches /another tab/i). */
export const ANOTHER_TAB_MINES = 'Another tab of this site is already mining. Stop it there, then press Start here.';

/**
 * Loads the miner code, learns the pool's chain from the first edge that answers, checks the
 * settings and takes the mining lock. Throws SettingsError (naming the field) or MiningBusyError;
 * nothing is held after a throw.
 */
export async function openMinerRuntime(req: RuntimeRequest): Promise<MinerRuntime> {
  const [{ createMiner }, { payoutAddressProblem, poolNetwork }] = await Promise.all([import('./miner-algorithms.ts'), import('./address-check.ts')]);
  const pageUrl = req.pageUrl ?? location.href;
  const edges = req.wanted.edges.length > 0 ? req.wanted.edges : [pageEdgeUrl(pageUrl)];
  // Events of the peer session go to the log until start() hands over the miner's handlers.
  let peerEvents: (e: MinerEvent) => void = (e) => req.log?.(e.level === 'info' ? 'info' : 'warn', e.text);
  const peer = await joinSharechain([new URL(pageUrl).origin, ...edges.map(edgeHttpOrigin)], (e) => peerEvents(e), req.log);
  let settings: Settings;
  let lock: MiningLock;
  let network: Network;
  try {
    const pool = peer ? { network: peer.directory.network as Network, algorithm: 'sha256d' } : await learnPool(edges, poolNetwork);
    network = pool.network;
    settings = checkSettings(req.wanted, req.cores, (a) => payoutAddressProblem(a, network));
    if (settings.algorithm !== pool.algorithm) {
      throw new SettingsError('algorithm', `this pool mines ${pool.algorithm}, not ${settings.algorithm}: choose ${pool.algorithm}`);
    }
    lock = await takeMiningLock(req.log);
  } catch (err) {
    await peer?.stop();
    throw err;
  }

  let miner: PageMiner | undefined;
  let courtesy: CourtesyWatcher | undefined;
  let stopped = false;
  return {
    settings,
    edges,
    network,
    peer,
    get miner() {
      return miner;
    },
    lockEnforced: lock.enforced,
    async start(handlers) {
      if (stopped || miner) return;
      peerEvents = handlers.onEvent;
      const jobClient = peer ? await chainJobClient(peer, settings.address) : undefined;
      if (stopped) return;
      const made = await createMiner({
        address: settings.address,
        worker: req.worker,
        algorithm: settings.algorithm,
        threads: settings.threads,
        gpu: settings.gpu,
        intensity: settings.intensity / 100,
        edges,
        onStats: (stats) => {
          handlers.onStats(stats);
          // The rig's figures: the miner's, and the page's peers when it is a peer of the network.
          globalThis.dispatchEvent?.(new CustomEvent(MINER_STATS_EVENT, { detail: { ...stats, peers: peer ? peer.state().peers.length : 0 } }));
        },
        onEvent: handlers.onEvent,
        ...(jobClient ? { jobClient } : {}),
      });
      if (stopped) return;
      miner = made;
      await miner.start();
      if (stopped) return;
      // Courtesy: give way when the tab is hidden, on battery, under CPU pressure (courtesy.ts).
      const running = miner;
      courtesy = watchCourtesy(
        { ...browserCourtesyEnv(req.log), ...req.courtesy?.(running) },
        { whenHidden: settings.whenHidden, onBattery: settings.onBattery },
        (t) => running.setThrottle(t.factor, t.reason),
      );
    },
    setIntensity(intensity) {
      miner?.setIntensity(intensity);
    },
    setCourtesyPrefs(prefs) {
      courtesy?.setPrefs(prefs);
    },
    nextJob() {
      return miner?.nextJob() ?? Promise.resolve();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      courtesy?.stop();
      try {
        await miner?.stop();
        await peer?.stop();
      } finally {
        lock.release();
      }
    },
  };
}

/**
 * Joins the pool's sharechain as a peer when the edges describe one; when none does, or the peer
 * cannot start, says why and returns undefined (the page mines through Stratum).
 */
async function joinSharechain(origins: string[], onEvent: (e: MinerEvent) => void, log: RuntimeRequest['log']): Promise<PeerSession | undefined> {
  // The directory first (a few small requests): libp2p is loaded only for a pool that has a network.
  const { discoverPool } = await import('./p2p/pool-directory.ts');
  try {
    const directory = await discoverPool([...new Set(origins)], async (url) => (await fetch(url, { headers: { accept: 'application/json' } })).json());
    const { PeerSession } = await import('./p2p/peer-session.ts');
    const session = await PeerSession.start({ directory, onEvent });
    // Diagnostics and the browser tests read the peer here (like self.otedamaGpu in the GPU worker).
    (globalThis as { otedamaPeer?: PeerSession }).otedamaPeer = session;
    return session;
  } catch (err) {
    log?.('info', `mining through the edge's Stratum feed (${err instanceof Error ? err.message : String(err)})`);
    return undefined;
  }
}

/** The miner's job source on the sharechain: jobs paying this address, built by the page's chain. */
async function chainJobClient(peer: PeerSession, address: string): Promise<NonNullable<MinerOptions['jobClient']>> {
  const { ChainJobClient } = await import('./p2p/chain-job-client.ts');
  const payees = [{ script: peer.scriptOf(address), bp: 10_000 }];
  return (events) => new ChainJobClient(peer, payees, events);
}

/**
 * The one-tab lock, or MiningBusyError when another tab of the site mines. Where the browser
 * refuses Web Locks to this document (a third-party frame whose storage the browser blocks, an
 * opaque origin) mining goes on unenforced, and `log` says so: the lock is a courtesy, and the
 * refusal says nothing about another tab mining.
 */
async function takeMiningLock(log: RuntimeRequest['log']): Promise<MiningLock> {
  let lock: MiningLock | null;
  try {
    lock = await acquireMiningLock();
  } catch (err) {
    if (!(err instanceof MiningLockError)) throw err;
    log?.('warn', `${err.reason}: other tabs of this site are not kept from mining at the same time`);
    return { release() {}, enforced: false };
  }
  if (!lock) throw new MiningBusyError(ANOTHER_TAB_MINES);
  return lock;
}

/**
 * The chain and algorithm the pool mines, from the first edge in `edges` whose API answers (GET
 * /api/pool/stats), so the payout address is checked for the right network and the page mines
 * the pool's algorithm (an edge that names none mines SHA-256d). Throws SettingsError when no
 * edge answers.
 */
async function learnPool(edges: string[], poolNetwork: (stats: unknown) => Network | undefined): Promise<{ network: Network; algorithm: string }> {
  const problems: string[] = [];
  for (const edge of edges) {
    const origin = edgeHttpOrigin(edge);
    try {
      const res = await fetch(`${origin}/api/pool/stats`, { headers: { accept: 'application/json' } });
      const stats: unknown = await res.json();
      const network = poolNetwork(stats);
      if (network) return { network, algorithm: poolAlgorithm(stats) ?? 'sha256d' };
      problems.push(`${origin} did not name its network (HTTP ${res.status})`);
    } catch (err) {
      problems.push(`${origin}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw new SettingsError('edges', `cannot reach the pool to learn its chain (${problems.join('; ')})`);
}

/**
 * The browser side of `npm run bench:p2p`: pages as peers of the sharechain, in real Chromium,
 * inside the network namespace (scripts/p2p-netns.mjs; this script re-runs itself there, as root).
 *
 *   1. baseline: two pages open a raw RTCDataChannel (no libp2p): time from offer to open, and
 *      one-way time (round trip / 2) over it;
 *   2. browser-to-browser connection: each page meets the others through an edge's relay and
 *      upgrades to WebRTC; the time of each such dial (p50/p95); goal p95 under 1 s. After the
 *      propagation part, --redials rounds (2) close every page's connections to other pages
 *      (relayed and direct) and wait for the pages to meet again, so that the p95 stands on more
 *      than a handful of dials (4 pages make 6 a round);
 *   3. propagation: --pages pages (8) and 2 edges mine into one chain for --seconds (60); for
 *      each share found, the time from its finder's chain taking it to each other page's and
 *      each edge's (p50/p99, page-to-page and page-to-edge); goal p99 under 250 ms;
 *   4. sync: an edge holding a full window (--window shares, 8,640) and a fresh page: the time
 *      from the page's first sync request to its chain holding the window, beside the time the
 *      same page takes to verify that window alone (a reload restores it from IndexedDB);
 *      goal under 15 s;
 *   5. memory: that page's renderer process (the one drawing it: main thread, workers, service
 *      worker) with the full window, beside the same before Start, after a reload's resume, and
 *      an about:blank page of the same browser (the baseline: what any page costs): PSS, Chrome's
 *      private footprint, and where it is by allocator (memory-infra dump, memory-dump.ts); the
 *      JS heaps of the page and each worker; and every renderer process of the browser (headless
 *      Chromium adds one for its window's UI and keeps a spare one: not the page's); goal under
 *      150 MB (the page's process, PSS);
 *   6. JS before Start: apps/web/scripts/check-budget.mjs on the build the pages load.
 *
 * Every process shares one loaded machine; the figures are pessimistic. Prints a table and
 * writes bench/results/p2p-browser-<date>.json. Usage: node scripts/bootstrap.mjs bench:p2p, or
 * npx tsx apps/web/bench/p2p-browser-bench.ts [--pages 8] [--seconds 60] [--window 8640] [--redials 2] [--quick]
 * [--only network|sync] (one part alone: the other is left out of the table)
 * [--profile DIR] (CPU profiles of the page's workers while it verifies the stored window).
 * [--trace-dials] (the time each step of a browser-to-browser dial took, from libp2p's WebRTC trace log;
 * and every RTCPeerConnection's life in each page, pc-trace.ts: a dial that stalled after "connected"
 * beside its recipient in the JSON, all of them in bench/results/p2p-browser-peer-connections-last.json).
 * [--memory-dump] (the page process's whole allocator tree and largest mappings in the JSON).
 * [--profile-network DIR] (the network part: CPU profiles of both edges, DIR/edge-<i>/*.cpuprofile, and
 * of the first page's main thread while shares flow, DIR/page-0-main.cpuprofile; the WebSocket and data
 * channel messages a page sent and received a second; what each edge sent and received by protocol
 * and peer kind, gossip by topic, its loop delay: DIR/edge-<i>-traffic.json and the report. Summarise a profile with `node scripts/cpuprofile-summary.mjs FILE`.)
 * The network part always reports the CPU seconds per second its processes used (edges, pages'
 * main threads, their workers, the rest of Chromium), from /proc.
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
const RESULTS = join(ROOT, 'bench', 'results');
/** Issue 11's goals. */
const GOALS = { propagationP99Ms: 250, connectP95Ms: 1000, syncSeconds: 15, memoryMb: 150 } as const;
const log = (m: string) => process.stderr.write(`${m}\n`);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
const only = arg('only');
const PROFILE_DIR = arg('profile');
const NETWORK_PROFILE_DIR = arg('profile-network');
/** --trace-dials: libp2p's WebRTC trace log in every page, summarised as the time each step of a dial took. */
const TRACE_DIALS = process.argv.includes('--trace-dials');
/** --memory-dump: the page process's whole memory-infra allocator tree and its largest mappings in the JSON (a summary is always there). */
const MEMORY_DUMP = process.argv.includes('--memory-dump');
if (only !== undefined && only !== 'network' && only !== 'sync') throw new Error(`--only must be network or sync (got ${only})`);
const int = (name: string, fallback: number, min = 1) => {
  const v = Number(arg(name) ?? fallback);
  if (!Number.isSafeInteger(v) || v < min) throw new Error(`--${name} must be an integer of at least ${min} (got ${arg(name)})`);
  return v;
};

// Outside the namespace: run this very script inside one (WebRTC needs a non-loopback interface).
if (!process.env.OTEDAMA_P2P_NETNS) {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'p2p-netns.mjs'), '--', process.execPath, join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { P2P_ARGS } = await import('../../../playwright.config.ts');
const { allocatorSummary, processMaps, requestMemoryDump } = await import('./memory-dump.ts');
const fixture = await import('../e2e-p2p/peer-fixture.ts');
const { countConnections, pageAddress, startMining, startPeerEdge } = fixture;
const { stalledPairs, tracePeerConnections } = await import('./pc-trace.ts');
type PeerEdge = Awaited<ReturnType<typeof startPeerEdge>>;

const PAGES = int('pages', quick ? 4 : 8);
const SECONDS = int('seconds', quick ? 20 : 60);
const WINDOW = int('window', quick ? 2000 : 8640);
const REDIALS = int('redials', 2, 0);
const CHROMIUM = process.env.OTEDAMA_CHROMIUM ?? '/usr/bin/chromium';
const webRoot = process.env.OTEDAMA_E2E_WEB_ROOT ?? join(ROOT, 'dist', 'web');
if (!existsSync(join(webRoot, 'index.html'))) throw new Error(`${webRoot} has no built web app: node scripts/bootstrap.mjs build`);

function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
function summary(values: readonly number[]) {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50Ms: round(percentile(s, 50)), p95Ms: round(percentile(s, 95)), p99Ms: round(percentile(s, 99)), maxMs: round(s.at(-1) ?? NaN) };
}

/** Why dials failed, most frequent first (messages cut to their first 120 characters). */
function failureReasons(dials: readonly { ok: boolean; error?: string }[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const d of dials) {
    if (d.ok) continue;
    const why = (d.error ?? 'unknown').slice(0, 120);
    counts.set(why, (counts.get(why) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}

async function until(cond: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

type PeerGlobal = {
  otedamaPeer?: {
    state(): { peers: { id: string; kind: string; admitted: boolean; transports: string[]; latencyMs: number | undefined }[]; sync: { state: string } };
    node: { raw: { getConnections(): { remotePeer: { toString(): string }; close(): Promise<void> }[] } };
    webrtcDials: { ms: number; ok: boolean; error?: string; admittedMs?: number }[];
    arrivalTimes(): Record<string, number>;
    syncReports: { state: string; startedAt?: number; finishedAt?: number; shares: number }[];
  };
};
const peer = <T>(page: Page, fn: (p: NonNullable<PeerGlobal['otedamaPeer']>) => T) => page.evaluate(`(${fn.toString()})(globalThis.otedamaPeer)`) as Promise<T>;

/** In a page (by its source): closes every connection to a browser peer; answers how many it closed. */
const hangUpBrowsers = async (x: NonNullable<PeerGlobal['otedamaPeer']>): Promise<number> => {
  const browsers = new Set(x.state().peers.filter((q) => q.kind === 'browser').map((q) => q.id));
  const closing = x.node.raw.getConnections().filter((c) => browsers.has(c.remotePeer.toString()));
  await Promise.all(closing.map((c) => c.close().catch(() => undefined)));
  return closing.length;
};

// ---- 1. baseline: a raw data channel ---------------------------------------------------------

async function rawChannel(browser: Browser, edge: PeerEdge): Promise<{ openMs: number; oneWayMs: number[] }> {
  const [a, b] = await Promise.all([browser.newPage(), browser.newPage()]);
  await Promise.all([a.goto(edge.url), b.goto(edge.url)]);
  const gather = `new Promise((r) => (pc.iceGatheringState === 'complete' ? r() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r())))`;
  const t0 = Date.now();
  const offer = (await a.evaluate(`(async () => { const pc = new RTCPeerConnection({ iceServers: [] }); globalThis.pc = pc; const ch = pc.createDataChannel('b'); globalThis.ch = ch; await pc.setLocalDescription(await pc.createOffer()); await ${gather}; return pc.localDescription.sdp; })()`)) as string;
  const answer = (await b.evaluate(`(async () => { const pc = new RTCPeerConnection({ iceServers: [] }); globalThis.pc = pc; pc.ondatachannel = (e) => (e.channel.onmessage = (m) => e.channel.send(m.data)); await pc.setRemoteDescription({ type: 'offer', sdp: ${JSON.stringify(offer)} }); await pc.setLocalDescription(await pc.createAnswer()); await ${gather}; return pc.localDescription.sdp; })()`)) as string;
  await a.evaluate(`(async () => { await pc.setRemoteDescription({ type: 'answer', sdp: ${JSON.stringify(answer)} }); await new Promise((r) => (ch.readyState === 'open' ? r() : ch.addEventListener('open', r))); })()`);
  const openMs = Date.now() - t0;
  const rtts = (await a.evaluate(`(async () => { const out = []; for (let i = 0; i < ${quick ? 50 : 200}; i++) { const t = performance.now(); await new Promise((r) => { ch.onmessage = r; ch.send('x'); }); out.push(performance.now() - t); } return out; })()`)) as number[];
  await a.close();
  await b.close();
  return { openMs, oneWayMs: rtts.map((r) => r / 2) };
}

// ---- 2 and 3. connections and propagation ----------------------------------------------------

/** Page init script for --trace-dials: libp2p's WebRTC and relay loggers on, their lines kept (ms, text) in the page. */
function traceWebrtcDials(): void {
  localStorage.setItem('debug', 'libp2p:webrtc,libp2p:webrtc:trace,libp2p:webrtc:error');
  const lines: [number, string][] = [];
  (globalThis as unknown as { otedamaDialTrace: typeof lines }).otedamaDialTrace = lines;
  const debug = console.debug.bind(console);
  console.debug = (...a: unknown[]) => {
    const text = a.map(String).join(' ').replace(/%c/g, '');
    if (text.includes('libp2p:webrtc') && !text.includes(':muxer')) lines.push([Date.now(), text.slice(0, 160)]);
    else debug(...a);
  };
}

/** Page init script for --profile-network: WebSocket messages the page sends and receives (every socket: its edges). */
function countWebSocketMessages(): void {
  const counts = { sent: 0, sentBytes: 0, received: 0, receivedBytes: 0 };
  (globalThis as unknown as { otedamaWebSocketMessages: typeof counts }).otedamaWebSocketMessages = counts;
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
    counts.sent++;
    counts.sentBytes += typeof data === 'string' ? data.length : 'byteLength' in data ? data.byteLength : (data as Blob).size;
    return send.call(this, data);
  };
  const Base = WebSocket;
  globalThis.WebSocket = class extends Base {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.addEventListener('message', (e: MessageEvent) => {
        counts.received++;
        counts.receivedBytes += e.data instanceof ArrayBuffer ? e.data.byteLength : String(e.data).length;
      });
    }
  };
}

/**
 * Page init script for --profile-network: data channel messages the page sends (each native
 * `send`, after any joining: data-channel-sends.ts) and receives (libp2p's `onmessage` handlers).
 */
function countDataChannelMessages(): void {
  const counts = { sent: 0, sentBytes: 0, received: 0, receivedBytes: 0 };
  (globalThis as unknown as { otedamaDataChannelMessages: typeof counts }).otedamaDataChannelMessages = counts;
  const send = RTCDataChannel.prototype.send as (this: RTCDataChannel, data: unknown) => void;
  RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: string | ArrayBuffer | ArrayBufferView | Blob) {
    counts.sent++;
    counts.sentBytes += typeof data === 'string' ? data.length : data instanceof Blob ? data.size : data.byteLength;
    return send.call(this, data);
  } as typeof RTCDataChannel.prototype.send;
  const onmessage = Object.getOwnPropertyDescriptor(RTCDataChannel.prototype, 'onmessage')!;
  Object.defineProperty(RTCDataChannel.prototype, 'onmessage', {
    ...onmessage,
    set(this: RTCDataChannel, handler: ((e: MessageEvent) => unknown) | null) {
      onmessage.set!.call(
        this,
        handler &&
          ((e: MessageEvent) => {
            counts.received++;
            counts.receivedBytes += e.data instanceof ArrayBuffer ? e.data.byteLength : String(e.data).length;
            return handler.call(this, e);
          }),
      );
    },
  });
}

/**
 * The steps of the dials a page started, from @libp2p/webrtc's trace lines (initiate-connection.js),
 * each line given to the oldest dial still waiting for it: relay circuit (hop, Noise and yamux over
 * the relay, the signalling stream) until the SDP offer is sent; the offer/answer round trip over
 * the relay; ICE until connected; the first data channel opening (DTLS, SCTP); its close and the
 * signalling stream's. Also where the dials that failed stopped.
 */
function dialStepSummary(pages: readonly [number, string][][]): Record<string, unknown> {
  const STEPS: [string, RegExp][] = [
    ['relay circuit + signalling stream', /initiator send SDP offer/],
    ['SDP offer/answer over the relay', /initiator received SDP answer/],
    ['ICE until connected', /initiator connected \+/],
    ['first data channel open (DTLS, SCTP)', /closing init channel/],
    ['init channel and signalling stream closed', /initiator connected to remote address/],
  ];
  const durations: Record<string, number[]> = Object.fromEntries(STEPS.map(([name]) => [name, []]));
  const stoppedAfter: Record<string, number> = {};
  for (const lines of pages) {
    const open: { at: number[] }[] = [];
    for (const [t, text] of lines ?? []) {
      if (/dialing circuit address/.test(text)) {
        open.push({ at: [t] });
        continue;
      }
      if (/outgoing signaling error/.test(text)) {
        const d = open.shift();
        if (d) {
          const reached = d.at.length - 1;
          const key = reached === 0 ? 'dialing the relay' : STEPS[reached - 1]![0];
          stoppedAfter[key] = (stoppedAfter[key] ?? 0) + 1;
        }
        continue;
      }
      const step = STEPS.findIndex(([, re]) => re.test(text));
      if (step < 0) continue;
      const d = open.find((x) => x.at.length === step + 1);
      if (!d) continue;
      durations[STEPS[step]![0]]!.push(t - d.at.at(-1)!);
      d.at.push(t);
      if (d.at.length === STEPS.length + 1) open.splice(open.indexOf(d), 1);
    }
  }
  return { steps: Object.fromEntries(Object.entries(durations).map(([k, v]) => [k, summary(v)])), failedAfter: stoppedAfter };
}

async function network(browser: Browser): Promise<Record<string, unknown>> {
  // Shares of 2^16 hashes (0x1f00ffff) every ~0.5 s: pages at a tenth of their speed find enough to measure.
  const pool = { shareIntervalMs: 500, initialShareBits: 0x1f00ffff };
  const profileDir = NETWORK_PROFILE_DIR ? resolve(NETWORK_PROFILE_DIR) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const a = await startPeerEdge({ index: 0, pool, ...(profileDir ? { profileDir } : {}) });
  const b = await startPeerEdge({ index: 1, rpcOf: a.info, bootstrap: [a.tcpAddr], pool, ...(profileDir ? { profileDir } : {}) });
  try {
    const baseline = await rawChannel(browser, a);
    log(`baseline: raw data channel open in ${baseline.openMs} ms, one way p50 ${round(percentile([...baseline.oneWayMs].sort((x, y) => x - y), 50), 2)} ms`);
    const pages: Page[] = [];
    for (let i = 0; i < PAGES; i++) {
      const context = await browser.newContext();
      await countConnections(context);
      if (TRACE_DIALS) await context.addInitScript(traceWebrtcDials);
      // As a string with esbuild's name helper defined: tsx may wrap the function's inner names in __name().
      if (TRACE_DIALS) await context.addInitScript({ content: `var __name = (f) => f; (${tracePeerConnections.toString()})();` });
      if (NETWORK_PROFILE_DIR) await context.addInitScript(countWebSocketMessages);
      if (NETWORK_PROFILE_DIR) await context.addInitScript(countDataChannelMessages);
      const page = await context.newPage();
      const [home, other] = i % 2 === 0 ? [a, b] : [b, a];
      await page.goto(home.url);
      await startMining(page, pageAddress(i), { edges: [other], intensity: 10 });
      pages.push(page);
    }
    const wanted = Math.min(3, PAGES - 1);
    log(`${PAGES} pages started; waiting for each to hold ${wanted} WebRTC peers`);
    const browserPeerCounts = () => Promise.all(pages.map((p) => peer(p, (x) => (x ? x.state().peers.filter((q) => q.kind === 'browser' && q.admitted && q.transports.includes('webrtc')).length : 0))));
    await until(async () => (await browserPeerCounts()).every((c) => c >= wanted), 'WebRTC peers', 180_000);
    const start = Date.now();
    log(`measuring propagation for ${SECONDS} s`);
    const cpuAtStart = processCpu();
    const trafficAtStart = profileDir ? await Promise.all([a.traffic(), b.traffic()]) : undefined;
    const mainProfile = profileDir ? await profileMainThread(pages[0]!) : undefined;
    type Counts = { sent: number; sentBytes: number; received: number; receivedBytes: number };
    const messageCounts = () => Promise.all(pages.map((p) => p.evaluate('[globalThis.otedamaWebSocketMessages, globalThis.otedamaDataChannelMessages]') as Promise<[Counts, Counts]>));
    const countsAtStart = profileDir ? await messageCounts() : undefined;
    // The libp2p round trips (the connection monitor's pings) to edges and to browsers, sampled while shares flow.
    const rtt = { edge: [] as number[], browser: [] as number[] };
    while (Date.now() < start + SECONDS * 1000) {
      await new Promise((r) => setTimeout(r, 2000));
      for (const views of await Promise.all(pages.map((p) => peer(p, (x) => x!.state().peers)))) {
        for (const v of views) if (v.latencyMs !== undefined) (v.kind === 'edge' ? rtt.edge : rtt.browser).push(v.latencyMs);
      }
    }
    const cpu = cpuPerSecond(cpuAtStart, processCpu());
    const countsAtEnd = countsAtStart ? await messageCounts() : undefined;
    // Per page and second: what its WebSockets (to its two edges) and its data channels (to other pages) carried while shares flowed.
    const perPageAndSecond = (which: 0 | 1) =>
      countsAtStart && countsAtEnd
        ? (['sent', 'sentBytes', 'received', 'receivedBytes'] as const).reduce((o, k) => ({ ...o, [k]: round(countsAtEnd.reduce((s, c, i) => s + c[which][k] - countsAtStart[i]![which][k], 0) / PAGES / ((Date.now() - start) / 1000)) }), {} as Record<string, number>)
        : undefined;
    const pageWebSockets = perPageAndSecond(0);
    const pageDataChannels = perPageAndSecond(1);
    if (pageWebSockets) log(`WebSocket messages per page and second: ${JSON.stringify(pageWebSockets)}`);
    if (pageDataChannels) log(`data channel messages per page and second: ${JSON.stringify(pageDataChannels)}`);
    log(`CPU seconds per second while measuring: ${JSON.stringify(cpu)}`);
    const edgeTraffic = trafficAtStart ? trafficDelta(trafficAtStart, await Promise.all([a.traffic(), b.traffic()])) : undefined;
    if (edgeTraffic) edgeTraffic.forEach((t, i) => writeFileSync(join(profileDir!, `edge-${i}-traffic.json`), JSON.stringify(t, null, 2) + '\n'));
    if (mainProfile) writeFileSync(join(profileDir!, 'page-0-main.cpuprofile'), JSON.stringify(await mainProfile()));
    const dialsPerPage = () => Promise.all(pages.map((p) => peer(p, (x) => x!.webrtcDials)));
    const firstMeeting = (await dialsPerPage()).map((d) => d.length);
    for (let round = 1; round <= REDIALS; round++) {
      const hungUp = await Promise.all(pages.map((p) => peer(p, hangUpBrowsers)));
      log(`redial round ${round} of ${REDIALS}: closed ${hungUp.reduce((a, b) => a + b, 0)} connections to browser peers (relayed and direct, counted at both ends); waiting for each page to hold ${wanted} again`);
      await until(async () => (await browserPeerCounts()).every((c) => c >= wanted), 'WebRTC peers again', 180_000);
    }
    const perPage = await dialsPerPage();
    const dials = perPage.flat();
    const pageArrivals = await Promise.all(pages.map((p) => peer(p, (x) => x!.arrivalTimes())));
    const edgeArrivals = await Promise.all([a.arrivals(), b.arrivals()]);
    const pageToPage: number[] = [];
    const pageToEdge: number[] = [];
    let missing = 0;
    const keys = new Set(pageArrivals.flatMap((m) => Object.keys(m)));
    for (const key of keys) {
      const times = pageArrivals.map((m) => m[key]);
      const origin = Math.min(...times.filter((t): t is number => t !== undefined));
      // Shares found in the measured window, heard in time for the others to have them.
      if (origin < start || origin > start + SECONDS * 1000 - 3000) continue;
      for (const t of times) {
        if (t === undefined) missing++;
        else if (t !== origin) pageToPage.push(t - origin);
      }
      for (const m of edgeArrivals) if (m[key] !== undefined) pageToEdge.push(Math.max(0, m[key]! - origin));
    }
    const dialLines = TRACE_DIALS ? await Promise.all(pages.map((p) => p.evaluate('globalThis.otedamaDialTrace') as Promise<[number, string][]>)) : undefined;
    const dialSteps = dialLines ? dialStepSummary(dialLines) : undefined;
    const pcRecords = TRACE_DIALS ? await Promise.all(pages.map((p) => p.evaluate('globalThis.otedamaPcTrace') as Promise<Parameters<typeof stalledPairs>[0][number]>)) : undefined;
    const peerConnections = pcRecords ? stalledPairs(pcRecords) : undefined;
    if (peerConnections) log(`peer connections: ${JSON.stringify(peerConnections.counts)}`);
    if (pcRecords) writeFileSync(join(RESULTS, 'p2p-browser-peer-connections-last.json'), JSON.stringify(pcRecords) + '\n');
    for (const p of pages) await p.context().close();
    return {
      pages: PAGES,
      edges: 2,
      seconds: SECONDS,
      rawChannel: { openMs: baseline.openMs, oneWay: summary(baseline.oneWayMs) },
      pingRtt: { toEdge: summary(rtt.edge), toBrowser: summary(rtt.browser) },
      browserConnect: {
        ...summary(dials.filter((d) => d.ok).map((d) => d.ms)),
        redials: REDIALS,
        firstMeeting: summary(perPage.flatMap((d, i) => d.slice(0, firstMeeting[i])).filter((d) => d.ok).map((d) => d.ms)),
        untilAdmitted: summary(dials.flatMap((d) => (d.admittedMs === undefined ? [] : [d.admittedMs]))), failed: dials.filter((d) => !d.ok).length, failures: failureReasons(dials), ...(dialSteps ? { steps: dialSteps } : {}), ...(peerConnections ? { peerConnections } : {}) },
      propagationPageToPage: { ...summary(pageToPage), missing },
      propagationPageToEdge: summary(pageToEdge),
      cpuSecondsPerSecond: cpu,
      ...(edgeTraffic ? { edgeTraffic } : {}),
      ...(pageWebSockets ? { pageWebSockets } : {}),
      ...(pageDataChannels ? { pageDataChannels } : {}),
    };
  } finally {
    await b.stop();
    await a.stop();
  }
}

/**
 * CPU time (s) so far of this run's processes, by kind: edges (peer-edge.ts), the pages' renderer
 * main threads, the workers in renderers (CPU miners, chain workers), the rest of the renderers
 * (compositor, IO threads), the rest of Chromium (browser, GPU and network processes), and the
 * rest (this script, tsx launchers); and how long the edges' and the pages' main threads were
 * ready to run but waited for a CPU (schedstat). Read from /proc: this process's descendants only.
 */
function processCpu(): { at: number; seconds: Record<string, number> } {
  const tick = 100; // USER_HZ on Linux
  const stat = (path: string) => {
    const text = readFileSync(path, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / tick, comm: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')) };
  };
  const procs = new Map<number, { ppid: number; cmd: string }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      procs.set(Number(d), { ppid: stat(`/proc/${d}/stat`).ppid, cmd: readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      // Gone meanwhile.
    }
  }
  const ours = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      if (p === process.pid) return true;
      p = procs.get(p)?.ppid ?? 0;
    }
    return false;
  };
  // The second field of schedstat: ns the task was runnable but waited on a run queue (the main thread's: tid = pid).
  const waited = (pid: number) => Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
  const seconds: Record<string, number> = {};
  const add = (k: string, v: number) => (seconds[k] = (seconds[k] ?? 0) + v);
  for (const [pid, p] of procs) {
    if (pid === process.pid || !ours(pid)) continue;
    try {
      if (p.cmd.includes('peer-edge.ts')) {
        add('edges', stat(`/proc/${pid}/stat`).cpu);
        add('edges: main threads waiting for a CPU', waited(pid));
      } else if (p.cmd.includes('--type=renderer')) {
        for (const tid of readdirSync(`/proc/${pid}/task`)) {
          const t = stat(`/proc/${pid}/task/${tid}/stat`);
          add(Number(tid) === pid ? 'page main threads' : /Worker/i.test(t.comm) ? 'page workers' : 'renderers, other threads', t.cpu);
        }
        add('page main threads waiting for a CPU', waited(pid));
      } else if (p.cmd.includes('chrom')) add('chromium, other processes', stat(`/proc/${pid}/stat`).cpu);
      else add('other', stat(`/proc/${pid}/stat`).cpu);
    } catch {
      // Gone meanwhile.
    }
  }
  return { at: Date.now(), seconds };
}

function cpuPerSecond(from: ReturnType<typeof processCpu>, to: ReturnType<typeof processCpu>): Record<string, number> {
  const dt = (to.at - from.at) / 1000;
  // A process that started meanwhile counts from 0; one that exited is left out of both.
  return Object.fromEntries(Object.entries(to.seconds).map(([k, v]) => [k, round(Math.max(0, v - (from.seconds[k] ?? 0)) / dt, 3)]));
}

type Traffic = Awaited<ReturnType<PeerEdge['traffic']>>;

/** What each edge sent and received per second between two snapshots of its counters. */
function trafficDelta(from: Traffic[], to: Traffic[]) {
  return to.map((t, i) => {
    const f = from[i]!;
    const dt = (t.at - f.at) / 1000;
    const rate = (x: number, y = 0) => round((x - y) / dt, 1);
    return {
      seconds: round(dt),
      cpuSecondsPerSecond: round((t.cpuUserUs + t.cpuSystemUs - f.cpuUserUs - f.cpuSystemUs) / 1e6 / dt, 3),
      loopDelayMs: t.loopDelayMs,
      connections: t.connections,
      syscallsPerSecond: t.syscalls && f.syscalls ? { read: rate(t.syscalls.read, f.syscalls.read), write: rate(t.syscalls.write, f.syscalls.write) } : undefined,
      perSecond: Object.fromEntries(
        Object.entries(t.streams)
          .map(([k, c]) => {
            const o = f.streams[k];
            return [k, { streams: rate(c.streams, o?.streams), bytesOut: rate(c.bytesOut, o?.bytesOut), sendsOut: rate(c.sendsOut, o?.sendsOut), bytesIn: rate(c.bytesIn, o?.bytesIn), messagesIn: rate(c.messagesIn, o?.messagesIn) }] as const;
          })
          .filter(([, c]) => c.streams + c.bytesOut + c.bytesIn > 0)
          .sort((x, y) => y[1].bytesOut + y[1].bytesIn - x[1].bytesOut - x[1].bytesIn),
      ),
      gossipPerSecond: Object.fromEntries(
        Object.entries(t.gossip).map(([kind, g]) => {
          const o = f.gossip[kind];
          return [kind, { rpcs: rate(g.rpcs, o?.rpcs), messages: Object.fromEntries(Object.entries(g.messages).map(([topic, n]) => [topic, rate(n, o?.messages[topic])])), messageBytes: rate(g.messageBytes, o?.messageBytes), ihaveIds: rate(g.ihaveIds, o?.ihaveIds), iwantIds: rate(g.iwantIds, o?.iwantIds), idontwantIds: rate(g.idontwantIds, o?.idontwantIds), grafts: rate(g.grafts, o?.grafts), prunes: rate(g.prunes, o?.prunes) }];
        }),
      ),
    };
  });
}

/** --profile-network: a CPU profile of `page`'s main thread from now until the returned function is called. */
async function profileMainThread(page: Page): Promise<() => Promise<unknown>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
  return async () => {
    const { profile } = await cdp.send('Profiler.stop');
    await cdp.detach();
    return profile;
  };
}

// ---- 4 and 5. sync of a full window, memory ---------------------------------------------------

/** Bytes a worker target's JS heap and its ArrayBuffers use (Runtime.getHeapUsage through the browser's target list), or undefined. */
async function workerHeap(browserCdp: import('@playwright/test').CDPSession, targetId: string, id: number): Promise<number | undefined> {
  const { sessionId } = (await browserCdp.send('Target.attachToTarget', { targetId, flatten: false })) as { sessionId: string };
  return new Promise<number | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 5000);
    browserCdp.on('Target.receivedMessageFromTarget', (e: { sessionId: string; message: string }) => {
      const m = JSON.parse(e.message) as { id?: number; result?: { usedSize: number; backingStorageSize?: number } };
      if (e.sessionId === sessionId && m.id === id) {
        clearTimeout(timer);
        // The JS objects and the ArrayBuffers' backing stores (WebAssembly memories among them).
        resolve(m.result ? m.result.usedSize + (m.result.backingStorageSize ?? 0) : undefined);
      }
    });
    void browserCdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }) });
  });
}

/**
 * One process of the browser, MB: what it is; its PSS (pages shared with other processes, the
 * chromium binary's among them, divided between them: it moves with what else runs on the
 * machine), resident set, unique set (pages no other process maps: steady), Chrome's private
 * footprint (its anonymous resident pages, task manager's "Memory footprint"), and its PSS by kind.
 */
type ProcessMemory = { pid: number; kind: string; pssMb: number; rssMb: number; ussMb: number; privateFootprintMb: number | undefined; codeAndDataFilesMb: number; anonymousMb: number; sharedMemoryMb: number };

type Memory = {
  pageHeapMb: number;
  pageHeapTotalMb: number;
  workerHeapMb: number | undefined;
  workersMb: Record<string, number>;
  /** Every renderer process of the browser, summed (the figure of earlier runs): the page's, Chrome's window UI and its spare renderer. */
  rendererRssMb: number;
  rendererPssMb: number;
  /** The renderer process that draws the page (its main thread, workers and service worker): where its megabytes are. */
  page: (ProcessMemory & { allocatorsMb: Record<string, number>; threads: Record<string, number> }) | undefined;
  /** Every process of the browser. */
  processes: ProcessMemory[];
  /** --memory-dump: the page process's whole allocator tree (MB by path, >= 64 KB) and its largest mappings. */
  detail?: { allocatorsMb: Record<string, number>; mappingsMb: Record<string, number> };
};

const mb = (x: number) => round(x / 1024 / 1024);

async function memoryOf(page: Page): Promise<Memory> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const metrics = (await cdp.send('Performance.getMetrics')).metrics;
  const pageHeap = metrics.find((m) => m.name === 'JSHeapUsedSize')!.value;
  const pageHeapTotal = metrics.find((m) => m.name === 'JSHeapTotalSize')!.value;
  const browserCdp = await page.context().browser()!.newBrowserCDPSession();
  // Every worker of the page (chain, CPU and GPU miners), by name: each is an isolate of its own.
  const { targetInfos } = (await browserCdp.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string; title: string }[] };
  const workersMb: Record<string, number> = {};
  let workerHeapMb: number | undefined;
  let id = 1;
  for (const t of targetInfos.filter((x) => x.type === 'worker')) {
    const used = await workerHeap(browserCdp, t.targetId, id++);
    if (used === undefined) continue;
    const name = `${t.title || t.url.split('/').pop()}`;
    workersMb[workersMb[name] === undefined ? name : `${name}#${id}`] = mb(used);
    if (t.url.includes('chain-worker')) workerHeapMb = mb(used);
  }
  // Chromium's account (memory-infra, garbage-collected first) and the kernel's, of every process.
  const dump = await requestMemoryDump(cdp);
  const { processInfo } = (await browserCdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
  await browserCdp.detach();
  await cdp.detach();
  const processes: ProcessMemory[] = [];
  let rss = 0;
  let pss = 0;
  for (const p of processInfo) {
    let maps: ReturnType<typeof processMaps>;
    try {
      maps = processMaps(p.id);
    } catch {
      continue; // gone since (a spare renderer taken or dropped)
    }
    const kind =
      p.type !== 'renderer'
        ? p.type
        : p.id === dump.pagePid
          ? 'the page'
          : readFileSync(`/proc/${p.id}/cmdline`, 'utf8').includes('--top-chrome-webui')
            ? "Chrome's window UI (a WebUI renderer)"
            : 'spare renderer (no frame)';
    const footprint = dump.processes.get(p.id)?.totals.private_footprint_bytes;
    processes.push({ pid: p.id, kind, pssMb: mb(maps.pss), rssMb: mb(maps.rss), ussMb: mb(maps.uss), privateFootprintMb: footprint === undefined ? undefined : mb(footprint), codeAndDataFilesMb: mb(maps.filePss), anonymousMb: mb(maps.anonymousPss), sharedMemoryMb: mb(maps.sharedMemoryPss) });
    // RSS counts the libraries every Chromium process maps (lavapipe, ICU): PSS shares them out.
    if (p.type === 'renderer') {
      rss += maps.rss;
      pss += maps.pss;
    }
  }
  const pageProcess = processes.find((p) => p.kind === 'the page');
  const pageDump = dump.pagePid === undefined ? undefined : dump.processes.get(dump.pagePid);
  const mbOf = (o: Record<string, number>, min = 0) => Object.fromEntries(Object.entries(o).filter(([, v]) => v >= min).map(([k, v]) => [k, mb(v)]));
  return {
    pageHeapMb: mb(pageHeap),
    pageHeapTotalMb: mb(pageHeapTotal),
    workerHeapMb,
    workersMb,
    rendererRssMb: mb(rss),
    rendererPssMb: mb(pss),
    page: pageProcess && pageDump ? { ...pageProcess, allocatorsMb: mbOf(allocatorSummary(pageDump)), threads: pageDump.threads } : undefined,
    processes,
    ...(MEMORY_DUMP && pageDump && dump.pagePid !== undefined
      ? { detail: { allocatorsMb: mbOf(pageDump.allocators, 64 * 1024), mappingsMb: Object.fromEntries(processMaps(dump.pagePid).top.map((t) => [t.mapping, mb(t.pss)])) } }
      : {}),
  };
}

/**
 * --profile DIR: CPU profiles of every worker the page starts from now on (the chain worker's
 * restore among them), written as DIR/<worker>.cpuprofile when the returned function is called
 * (open them in Chromium's DevTools, Performance panel). Workers wait for the profiler to start.
 */
async function profileWorkers(page: Page, dir: string): Promise<() => Promise<void>> {
  mkdirSync(dir, { recursive: true });
  const cdp = await page.context().newCDPSession(page);
  const sessions = new Map<string, string>();
  let id = 100;
  const send = (sessionId: string, method: string, params: object = {}) => cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: id++, method, params }) });
  const waiting = new Map<number, (result: unknown) => void>();
  cdp.on('Target.receivedMessageFromTarget', (e: { sessionId: string; message: string }) => {
    const m = JSON.parse(e.message) as { id?: number; result?: unknown };
    if (m.id !== undefined) waiting.get(m.id)?.(m.result);
  });
  cdp.on('Target.attachedToTarget', (e: { sessionId: string; targetInfo: { type: string; url: string; title: string } }) => {
    if (e.targetInfo.type === 'worker') sessions.set(e.sessionId, e.targetInfo.title || e.targetInfo.url.split('/').pop()!);
    void (async () => {
      if (e.targetInfo.type === 'worker') {
        await send(e.sessionId, 'Profiler.enable');
        await send(e.sessionId, 'Profiler.setSamplingInterval', { interval: 200 });
        await send(e.sessionId, 'Profiler.start');
      }
      await send(e.sessionId, 'Runtime.runIfWaitingForDebugger');
    })();
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
  return async () => {
    for (const [sessionId, name] of sessions) {
      const done = new Promise<unknown>((r) => waiting.set(id, r));
      await send(sessionId, 'Profiler.stop');
      const result = (await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))])) as { profile?: unknown } | undefined;
      if (result?.profile) writeFileSync(join(dir, `${name.replace(/[^\w.-]/g, '_')}.cpuprofile`), JSON.stringify(result.profile));
    }
    await cdp.detach();
  };
}

async function syncAndMemory(browser: Browser): Promise<Record<string, unknown>> {
  const EASIEST = 0x207fffff;
  const pool = { initialShareBits: EASIEST, maxShareBits: EASIEST, shareIntervalMs: 200, asertHalfLifeMs: 60_000, maxWindowShares: WINDOW };
  log(`sync: an edge mines a window of ${WINDOW} shares first`);
  const edge = await startPeerEdge({ index: 0, pool, preloadShares: WINDOW, portOffset: 2 });
  try {
    const context = await browser.newContext();
    // The baseline: an empty page (about:blank) of the same browser, alone in it, measured the same way.
    const blankPage = await context.newPage();
    const blank = await memoryOf(blankPage);
    await blankPage.close();
    const page = await context.newPage();
    await page.goto(edge.url);
    const before = await memoryOf(page);
    await startMining(page, pageAddress(0), { intensity: 10 });
    await until(() => peer(page, (x) => x?.state().sync.state === 'synced'), 'the window sync', 180_000).catch(async (err: unknown) => {
      // Say where it stopped: the page's last sync reports and its events.
      log(`sync did not finish; the page's last sync reports: ${JSON.stringify(await peer(page, (x) => x?.syncReports.slice(-3)).catch(() => undefined))}`);
      log(`events:\n${await page.locator('#events').innerText().catch(() => '')}`);
      throw err;
    });
    const after = await memoryOf(page);
    const reports = await peer(page, (x) => x!.syncReports);
    const done = reports.find((r) => r.state === 'synced' && r.shares > 0) ?? reports.find((r) => r.state === 'synced');
    const syncSeconds = done?.finishedAt && done.startedAt ? round((done.finishedAt - done.startedAt) / 1000, 2) : NaN;
    const synced = done?.shares ?? 0;
    // The baseline: the same page verifying that window alone (a reload restores it from IndexedDB).
    await page.reload();
    const profiling = PROFILE_DIR ? await profileWorkers(page, PROFILE_DIR) : undefined;
    await page.locator('#resume-yes').click();
    await page.locator('#events', { hasText: /resumed from \d+ stored share\(s\), verified in/ }).waitFor({ timeout: 180_000 });
    await profiling?.();
    const m = /resumed from (\d+) stored share\(s\), verified in ([\d.]+) s/.exec(await page.locator('#events').innerText())!;
    // The same window restored from IndexedDB instead of synced: what a page holds after a reload.
    const resumed = await memoryOf(page);
    await context.close();
    return {
      windowShares: WINDOW,
      syncedShares: synced,
      syncSeconds,
      verifyAloneSeconds: Number(m[2]),
      verifiedShares: Number(m[1]),
      memoryBlankPage: blank,
      memoryBeforeStart: before,
      memoryWithWindow: after,
      memoryAfterResume: resumed,
    };
  } finally {
    await edge.stop();
  }
}

// ---- 6. JS before Start ----------------------------------------------------------------------

function budget(): { kbGzipped: number; ok: boolean } {
  const r = spawnSync(process.execPath, [join(ROOT, 'apps', 'web', 'scripts', 'check-budget.mjs'), webRoot], { encoding: 'utf8' });
  const m = /JS before Start: ([\d.]+) KB gzipped/.exec(r.stdout);
  return { kbGzipped: m ? Number(m[1]) : NaN, ok: r.status === 0 };
}

// ---- run -------------------------------------------------------------------------------------

const launch = () => chromium.launch({ executablePath: CHROMIUM, args: P2P_ARGS });
let report: Record<string, unknown>;
let browser = await launch();
try {
  const loadAtStart = loadavg().map((x) => round(x, 2));
  const net = only === 'sync' ? undefined : await network(browser);
  // A browser of its own for the sync page: its renderer processes are that page's alone.
  await browser.close();
  browser = await launch();
  const sync = only === 'network' ? undefined : await syncAndMemory(browser);
  report = {
    bench: 'p2p-browser',
    at: new Date().toISOString(),
    // The load average (1, 5, 15 min) when the run began and when it ended: other work on the machine.
    machine: { cpus: cpus().length, loadAtStart, load: loadavg().map((x) => round(x, 2)) },
    goals: GOALS,
    network: net,
    sync,
    jsBeforeStart: budget(),
  };
} finally {
  await browser.close();
}

const n = report.network as undefined | { rawChannel: { openMs: number; oneWay: ReturnType<typeof summary> }; pingRtt: { toEdge: ReturnType<typeof summary>; toBrowser: ReturnType<typeof summary> }; browserConnect: ReturnType<typeof summary> & { failed: number; redials: number; firstMeeting: ReturnType<typeof summary>; untilAdmitted: ReturnType<typeof summary> }; propagationPageToPage: ReturnType<typeof summary> & { missing: number }; propagationPageToEdge: ReturnType<typeof summary> };
const s = report.sync as undefined | { syncSeconds: number; verifyAloneSeconds: number; syncedShares: number; memoryBlankPage: Memory; memoryBeforeStart: Memory; memoryWithWindow: Memory; memoryAfterResume: Memory };
const js = report.jsBeforeStart as { kbGzipped: number; ok: boolean };
const mark = (ok: boolean) => (ok ? 'ok' : 'OVER');
const pageMb = (m: Memory) => (m.page ? `${m.page.pssMb} MB (USS ${m.page.ussMb}, private footprint ${m.page.privateFootprintMb ?? '?'}, files mapped ${m.page.codeAndDataFilesMb})` : 'the page process was not found');
const whereItIs = (m: Memory) => (m.page ? Object.entries(m.page.allocatorsMb).map(([k, v]) => `${k} ${v}`).join(', ') : '?');
const renderers = (m: Memory) => m.processes.filter((p) => p.kind === 'the page' || p.kind.includes('renderer')).map((p) => `${p.kind} ${p.pssMb}`).join(', ');
const rows: [string, string, string, string][] = [];
if (n) rows.push(
  ['browser-to-browser connection (relay + WebRTC)', `p50 ${n.browserConnect.p50Ms} ms, p95 ${n.browserConnect.p95Ms} ms (n ${n.browserConnect.n}, ${n.browserConnect.failed} failed)`, `raw data channel open: ${n.rawChannel.openMs} ms`, `p95 < ${GOALS.connectP95Ms} ms: ${mark(n.browserConnect.p95Ms < GOALS.connectP95Ms)}`],
  ['… the first meeting only (before the redial rounds)', `p50 ${n.browserConnect.firstMeeting.p50Ms} ms, p95 ${n.browserConnect.firstMeeting.p95Ms} ms (n ${n.browserConnect.firstMeeting.n})`, `${n.browserConnect.redials} redial rounds after it`, ''],
  ['… until the pool-id handshake admitted the peer', `p50 ${n.browserConnect.untilAdmitted.p50Ms} ms, p95 ${n.browserConnect.untilAdmitted.p95Ms} ms (n ${n.browserConnect.untilAdmitted.n})`, 'from then on gossip flows', ''],
  ['share propagation page to page', `p50 ${n.propagationPageToPage.p50Ms} ms, p99 ${n.propagationPageToPage.p99Ms} ms (n ${n.propagationPageToPage.n}, ${n.propagationPageToPage.missing} missing)`, `raw one way: p50 ${n.rawChannel.oneWay.p50Ms} ms, p99 ${n.rawChannel.oneWay.p99Ms} ms`, `p99 < ${GOALS.propagationP99Ms} ms: ${mark(n.propagationPageToPage.p99Ms < GOALS.propagationP99Ms)}`],
  ['share propagation page to edge', `p50 ${n.propagationPageToEdge.p50Ms} ms, p99 ${n.propagationPageToEdge.p99Ms} ms (n ${n.propagationPageToEdge.n})`, `libp2p ping round trip p50: to an edge ${n.pingRtt.toEdge.p50Ms} ms, to a browser ${n.pingRtt.toBrowser.p50Ms} ms`, `p99 < ${GOALS.propagationP99Ms} ms: ${mark(n.propagationPageToEdge.p99Ms < GOALS.propagationP99Ms)}`],
);
if (s) rows.push(
  ['window sync in a page', `${s.syncSeconds} s for ${s.syncedShares} shares`, `verifying it alone: ${s.verifyAloneSeconds} s`, `< ${GOALS.syncSeconds} s: ${mark(s.syncSeconds < GOALS.syncSeconds)}`],
  ['page memory with the window (its renderer process)', `PSS ${pageMb(s.memoryWithWindow)}; JS heaps ${s.memoryWithWindow.pageHeapMb} MB page + ${s.memoryWithWindow.workerHeapMb ?? '?'} MB chain worker (every worker: ${Object.entries(s.memoryWithWindow.workersMb).map(([k, v]) => `${k} ${v}`).join(', ')})`, `about:blank: PSS ${pageMb(s.memoryBlankPage)}; before Start: PSS ${pageMb(s.memoryBeforeStart)}; after a reload's resume: PSS ${pageMb(s.memoryAfterResume)}`, `< ${GOALS.memoryMb} MB: PSS ${mark((s.memoryWithWindow.page?.pssMb ?? Infinity) < GOALS.memoryMb)}, USS ${mark((s.memoryWithWindow.page?.ussMb ?? Infinity) < GOALS.memoryMb)}`],
  ['… where it is (memory-infra, MB)', whereItIs(s.memoryWithWindow), `before Start: ${whereItIs(s.memoryBeforeStart)}`, ''],
  ['… every renderer of the browser, PSS', `${s.memoryWithWindow.rendererPssMb} MB (RSS ${s.memoryWithWindow.rendererRssMb} MB): ${renderers(s.memoryWithWindow)}`, `about:blank: ${s.memoryBlankPage.rendererPssMb} MB: ${renderers(s.memoryBlankPage)}`, 'not the page\'s alone'],
);
rows.push(['JS before Start', `${js.kbGzipped} KB gzipped`, 'budget 100 KB', js.ok ? 'ok' : 'OVER']);
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
process.stdout.write(`\nbench:p2p (browsers) — ${PAGES} pages, 2 edges, ${SECONDS} s; window ${WINDOW} shares; load at start ${(report.machine as { loadAtStart: number[] }).loadAtStart.join(' ')}, at end ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
for (const r of rows) process.stdout.write(`  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
mkdirSync(RESULTS, { recursive: true });
const out = join(RESULTS, `p2p-browser-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
process.stdout.write(`  results: ${relative(process.cwd(), out)}\n`);

/**
 * The dashboard's network and earnings views while the page is a peer: who it is connected to
 * (edges and browsers, over what, how far), the chain's height and tip, the sync (shares,
 * percent, time left) and the template mined on; then the money, in earnings-text.ts's words.
 * Renders from PeerSession.state() and summary(); refreshed by main.ts every couple of seconds.
 */
import { formatSats } from '../pool-figures.ts';
import { blockText, duration, nextPayoutText, nextShareText, windowText } from './earnings-text.ts';
import type { EarningsSummary } from './page-chain.ts';
import type { PeerSessionState } from './peer-session.ts';

const $ = (id: string) => document.getElementById(id)!;
const short = (id: string) => `…${id.slice(-8)}`;

function syncWords(s: PeerSessionState): { big: string; detail: string; percent: number | undefined } {
  if (s.restore) {
    const pct = Math.floor((s.restore.done / Math.max(1, s.restore.of)) * 100);
    return { big: `verifying ${pct} %`, detail: `Verifying the ${s.restore.of} share(s) stored in this browser: ${s.restore.done} done.`, percent: pct };
  }
  const p = s.sync;
  switch (p.state) {
    case 'syncing': {
      const pct = p.percent ?? 0;
      const left = p.etaSeconds !== undefined ? `, about ${duration(p.etaSeconds)} left` : '';
      return { big: `syncing ${Math.floor(pct)} %`, detail: `Fetching the window from ${p.peer ? short(p.peer) : 'a peer'}: ${p.shares}${p.expected ? ` of ${p.expected}` : ''} share(s) verified${left}.`, percent: pct };
    }
    case 'synced':
      return { big: 'synced', detail: `In step with the network${p.shares ? ` (${p.shares} share(s) fetched in the last run)` : ''}.`, percent: undefined };
    case 'failed':
      return { big: 'waiting', detail: `No peer to sync from yet: ${p.message ?? 'retrying'}.`, percent: undefined };
    default:
      return { big: 'starting', detail: 'Connecting to the network…', percent: undefined };
  }
}

export function renderNetwork(s: PeerSessionState): void {
  const edges = s.peers.filter((p) => p.kind === 'edge' && p.admitted).length;
  const browsers = s.peers.filter((p) => p.kind === 'browser' && p.admitted).length;
  $('net-summary').textContent = `This page is peer ${short(s.peerId)} of pool ${s.poolId.slice(0, 12)}…: connected to ${edges} edge(s) and ${browsers} other browser(s). It keeps the pool's books itself and checks every share it hears.`;
  $('net-peers').textContent = String(edges + browsers);
  $('net-height').textContent = s.tip ? String(s.tip.height) : '–';
  const sync = syncWords(s);
  $('net-sync').textContent = sync.big;
  $('net-sync-detail').textContent = sync.detail;
  const bar = $('net-sync-progress') as HTMLProgressElement;
  bar.hidden = sync.percent === undefined;
  if (sync.percent !== undefined) bar.value = sync.percent;
  const t = s.template;
  $('net-template').textContent = t ? String(t.height) : '–';
  const rows = s.peers.map((p) => {
    const tr = document.createElement('tr');
    const kind = p.kind === 'edge' ? 'edge' : 'browser';
    const transports = [...new Set(p.transports)].join(', ');
    for (const text of [short(p.id), p.admitted ? kind : `${kind} (handshake)`, transports, p.latencyMs === undefined ? '–' : `${Math.round(p.latencyMs)} ms`]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  });
  $('net-peer-rows').replaceChildren(...rows);
  $('net-edges').textContent = s.edges
    .map((e) => `${e.origin}: ${e.state === 'connected' ? 'connected' : e.state === 'waiting' ? `unreachable, next try in ${Math.ceil((e.retryInMs ?? 0) / 1000)} s` : 'connecting'}`)
    .join(' · ');
  const parts: string[] = [];
  if (s.tip) parts.push(`Tip ${s.tip.id.slice(0, 16)}… at height ${s.tip.height}.`);
  if (t) parts.push(t.stale ? `The last template (coin block ${t.height}) is ${t.stale}: mining waits for an edge.` : `Mining on coin block ${t.height}, template signed by edge ${short(t.signer)} ${duration(t.ageMs / 1000)} ago.`);
  if (s.outbox) parts.push(`${s.outbox} share(s) found while no peer was reachable wait in this browser and go out as soon as one is.`);
  parts.push(`${s.storedShares} share(s) kept in this browser${s.persistent ? '' : ' (in memory only: IndexedDB is unavailable)'}.`);
  $('net-tip').textContent = parts.join(' ');
}

export function renderEarnings(e: EarningsSummary, hashrate: number, now = Date.now()): void {
  $('earn-window').textContent = windowText(e.myShares, e.windowShares, e.creditPpm);
  $('earn-next-other').textContent = e.reward === undefined ? 'Waiting for a template to know the next block’s reward.' : nextPayoutText(e.nextIfOther, e.threshold, 'another miner');
  $('earn-next-mine').textContent = e.reward === undefined ? '' : `${nextPayoutText(e.nextIfMine, e.threshold, 'this page')} (The next block pays ${formatSats(e.reward.toString())} in all.)`;
  $('earn-next-share').textContent = nextShareText(e.hashesPerShare, hashrate);
  const items = e.blocks.map((b) => {
    const li = document.createElement('li');
    li.className = b.me.paid > 0n ? 'info' : 'warn';
    li.textContent = blockText(b, now);
    return li;
  });
  if (!items.length) {
    const li = document.createElement('li');
    li.textContent = 'No block found in the window yet. When one is, this list says what it paid you and why.';
    items.push(li);
  }
  $('earn-blocks').replaceChildren(...items);
}

/**
 * --trace-dials, the WebRTC side: a page init script that keeps, for every RTCPeerConnection the
 * page makes (libp2p's dials and answers alike), what happened to it and when: descriptions set
 * (with their SDP), ICE candidates given and taken, state changes of the connection, ICE, DTLS and
 * SCTP transports, data channels created, announced, opened and closed, and close() with its caller.
 * A connection that reaches "connected" stalled (a dialer's 'init' channel not open, or already
 * closed by the other end; an answerer with no channel open) is snapshotted
 * (`pc.getStats()`, `pc.sctp`) 3 s and 10 s later, before libp2p's dial budget closes it.
 * `stalledPairs` then matches the stalled records of all pages by ICE ufrag (the offerer's local
 * ufrag is the answerer's remote one) so both ends of one connection are read side by side.
 */

export interface PcEvent {
  readonly t: number;
  readonly what: string;
  readonly detail?: unknown;
}

export interface PcRecord {
  readonly id: number;
  readonly createdAt: number;
  readonly events: PcEvent[];
  localSdp?: { type: string; sdp: string };
  remoteSdp?: { type: string; sdp: string };
  connectedAt?: number;
  firstChannelOpenAt?: number;
  /** When the dialer's own first channel (@libp2p/webrtc's 'init', created before the offer) opened. */
  initOpenAt?: number;
  /** When that channel closed (the dialer closes it itself once it saw it open). */
  initClosedAt?: number;
  /** Whether the dialer's code called its close() (otherwise the other end or the connection closed it). */
  initClosedByDialer?: boolean;
  closedBy?: string;
  hasInit?: boolean;
  snapshots: { at: number; sctp: unknown; stats: unknown[] }[];
}

/** The init script (runs in the page before its own code; no imports, no closures over the module). */
export function tracePeerConnections(): void {
  const Base = window.RTCPeerConnection;
  const records: PcRecord[] = [];
  (globalThis as unknown as { otedamaPcTrace: PcRecord[] }).otedamaPcTrace = records;
  const SNAPSHOT_AFTER_MS = [3_000, 10_000];
  const sctpOf = (pc: RTCPeerConnection) => {
    const s = pc.sctp;
    if (!s) return null;
    return { state: s.state, maxMessageSize: s.maxMessageSize, maxChannels: s.maxChannels, dtls: s.transport.state, ice: s.transport.iceTransport.state, iceRole: (s.transport.iceTransport as RTCIceTransport & { role?: string }).role };
  };
  const snapshot = async (pc: RTCPeerConnection, rec: PcRecord) => {
    // A dialer whose 'init' channel never opened, or opened and closed before "connected"; an answerer with no channel open.
    const stalled = rec.hasInit ? rec.initOpenAt === undefined || (rec.initClosedAt !== undefined && !rec.initClosedByDialer) : rec.firstChannelOpenAt === undefined;
    if (!stalled || pc.connectionState === 'closed') return;
    const stats: unknown[] = [];
    try {
      (await pc.getStats()).forEach((s: { type: string }) => {
        if (['transport', 'candidate-pair', 'data-channel', 'peer-connection', 'local-candidate', 'remote-candidate', 'certificate'].includes(s.type)) stats.push({ ...s });
      });
    } catch (err) {
      stats.push({ error: String(err) });
    }
    rec.snapshots.push({ at: Date.now(), sctp: sctpOf(pc), stats });
  };
  const watchChannel = (rec: PcRecord, ch: RTCDataChannel, how: string) => {
    const ev = (what: string) => rec.events.push({ t: Date.now(), what: `channel ${what}`, detail: { how, label: ch.label, id: ch.id, state: ch.readyState } });
    ev('seen');
    if (how === 'local' && ch.label === 'init') rec.hasInit = true;
    ch.addEventListener('open', () => {
      rec.firstChannelOpenAt ??= Date.now();
      if (how === 'local' && ch.label === 'init') rec.initOpenAt ??= Date.now();
      ev('open');
    });
    ch.addEventListener('close', () => {
      if (how === 'local' && ch.label === 'init') rec.initClosedAt ??= Date.now();
      ev('close');
    });
    ch.addEventListener('error', () => ev('error'));
  };
  class TracedPeerConnection extends Base {
    constructor(config?: RTCConfiguration) {
      super(config);
      const rec: PcRecord = { id: records.length, createdAt: Date.now(), events: [], snapshots: [] };
      records.push(rec);
      (this as unknown as { otedamaRec: PcRecord }).otedamaRec = rec;
      const ev = (what: string, detail?: unknown) => rec.events.push({ t: Date.now(), what, ...(detail === undefined ? {} : { detail }) });
      let sctpWatched = false;
      const watchSctp = () => {
        const s = this.sctp;
        if (!s || sctpWatched) return;
        sctpWatched = true;
        ev('sctp seen', sctpOf(this));
        s.addEventListener('statechange', () => ev('sctp state', s.state));
        s.transport.addEventListener('statechange', () => ev('dtls state', s.transport.state));
        s.transport.addEventListener('error', (e) => ev('dtls error', String((e as unknown as { error?: unknown }).error ?? e)));
      };
      this.addEventListener('connectionstatechange', () => {
        ev('connection', this.connectionState);
        watchSctp();
        if (this.connectionState === 'connected' && rec.connectedAt === undefined) {
          rec.connectedAt = Date.now();
          for (const ms of SNAPSHOT_AFTER_MS) setTimeout(() => void snapshot(this, rec), ms);
        }
      });
      this.addEventListener('iceconnectionstatechange', () => ev('ice', this.iceConnectionState));
      this.addEventListener('signalingstatechange', () => {
        ev('signaling', this.signalingState);
        watchSctp();
      });
      this.addEventListener('icecandidate', (e) => ev('local candidate', e.candidate?.candidate ?? null));
      this.addEventListener('datachannel', (e) => watchChannel(rec, e.channel, 'remote'));
    }
    override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
      const ch = super.createDataChannel(label, init);
      const rec = (this as unknown as { otedamaRec: PcRecord }).otedamaRec;
      watchChannel(rec, ch, 'local');
      if (label === 'init') {
        const close = ch.close.bind(ch);
        ch.close = () => {
          if (rec.initClosedAt === undefined) rec.initClosedByDialer = true;
          close();
        };
      }
      return ch;
    }
    override async setLocalDescription(d?: RTCLocalSessionDescriptionInit): Promise<void> {
      const rec = (this as unknown as { otedamaRec: PcRecord }).otedamaRec;
      rec.events.push({ t: Date.now(), what: 'setLocalDescription', detail: d?.type });
      try {
        await super.setLocalDescription(d);
      } catch (err) {
        rec.events.push({ t: Date.now(), what: 'setLocalDescription failed', detail: String(err) });
        throw err;
      }
      rec.localSdp = { type: this.localDescription!.type, sdp: this.localDescription!.sdp };
      rec.events.push({ t: Date.now(), what: 'setLocalDescription done' });
    }
    override async setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
      const rec = (this as unknown as { otedamaRec: PcRecord }).otedamaRec;
      rec.events.push({ t: Date.now(), what: 'setRemoteDescription', detail: d.type });
      try {
        await super.setRemoteDescription(d);
      } catch (err) {
        rec.events.push({ t: Date.now(), what: 'setRemoteDescription failed', detail: String(err) });
        throw err;
      }
      rec.remoteSdp = { type: d.type!, sdp: d.sdp ?? '' };
      rec.events.push({ t: Date.now(), what: 'setRemoteDescription done' });
    }
    override async addIceCandidate(c?: RTCIceCandidateInit | null): Promise<void> {
      const rec = (this as unknown as { otedamaRec: PcRecord }).otedamaRec;
      const text = c && 'candidate' in c ? c.candidate : null;
      try {
        await super.addIceCandidate(c);
        rec.events.push({ t: Date.now(), what: 'remote candidate', detail: text });
      } catch (err) {
        rec.events.push({ t: Date.now(), what: 'remote candidate failed', detail: `${text}: ${String(err)}` });
        throw err;
      }
    }
    override close(): void {
      const rec = (this as unknown as { otedamaRec: PcRecord }).otedamaRec;
      if (rec.closedBy === undefined) {
        rec.closedBy = (new Error().stack ?? '').split('\n').slice(2, 8).map((l) => l.trim().replace(/https?:\/\/[^/]+\//, '')).join(' < ');
        rec.events.push({ t: Date.now(), what: 'close()' });
      }
      super.close();
    }
  }
  window.RTCPeerConnection = TracedPeerConnection as unknown as typeof RTCPeerConnection;
}

const ufrag = (sdp: string | undefined) => /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1];

/** SDP lines that decide DTLS roles, SCTP and the data channel's m-line, in order. */
export function sdpEssentials(sdp: string | undefined): string[] {
  return (sdp ?? '').split(/\r?\n/).filter((l) => /^(m=|a=setup|a=sctp-port|a=max-message-size|a=ice-ufrag|a=fingerprint|a=mid|a=group|a=ice-options|a=candidate)/.test(l));
}

/**
 * The connections that reached "connected" with no data channel ever open (stalled), and as many
 * that worked (for comparison), each with the matching record of the page at its other end.
 */
export function stalledPairs(pages: readonly (readonly PcRecord[])[], good = 2): { stalled: unknown[]; good: unknown[]; counts: Record<string, number> } {
  const all = pages.flatMap((recs, page) => recs.map((r) => ({ page, r })));
  const offerer = all.filter(({ r }) => r.localSdp?.type === 'offer');
  const peerOf = (x: { page: number; r: PcRecord }) => all.find((y) => y !== x && ufrag(y.r.remoteSdp?.sdp) === ufrag(x.r.localSdp?.sdp) && ufrag(x.r.localSdp?.sdp) !== undefined);
  const view = (x: { page: number; r: PcRecord } | undefined, t0: number) =>
    x && {
      page: x.page,
      pc: x.r.id,
      role: x.r.localSdp?.type,
      closedBy: x.r.closedBy,
      localSdp: sdpEssentials(x.r.localSdp?.sdp),
      remoteSdp: sdpEssentials(x.r.remoteSdp?.sdp),
      events: x.r.events.map((e) => [e.t - t0, e.what, e.detail]),
      snapshots: x.r.snapshots.map((s) => ({ ms: s.at - t0, sctp: s.sctp, stats: s.stats })),
    };
  // Stalled: the dialer's 'init' channel (what @libp2p/webrtc waits for after "connected") never
  // opened, or opened and was closed by the other end, not by the dialer (libp2p, resuming after
  // "connected", finds it closed and waits for an 'open' event that has already passed). A
  // connection the dialer itself closed first (its dial failed earlier, at the relay) is neither.
  const closeCalledAt = (r: PcRecord) => r.events.find((e) => e.what === 'close()')?.t ?? Infinity;
  const raced = ({ r }: { r: PcRecord }) => r.initOpenAt !== undefined && r.initClosedAt !== undefined && !r.initClosedByDialer && r.initClosedAt < closeCalledAt(r);
  const stalled = offerer.filter((x) => (x.r.connectedAt !== undefined && x.r.initOpenAt === undefined) || raced(x));
  const worked = offerer.filter((x) => !stalled.includes(x) && x.r.initOpenAt !== undefined);
  const pair = (x: { page: number; r: PcRecord }) => ({ dialer: view(x, x.r.createdAt), recipient: view(peerOf(x), x.r.createdAt) });
  return {
    stalled: stalled.map(pair),
    good: worked.slice(0, good).map(pair),
    counts: { peerConnections: all.length, offers: offerer.length, connected: offerer.filter(({ r }) => r.connectedAt !== undefined).length, stalled: stalled.length, initOpened: offerer.filter(({ r }) => r.initOpenAt !== undefined).length, initClosedByTheOtherEnd: offerer.filter(raced).length, closedByFailedDial: offerer.filter(({ r }) => /dial/i.test(r.closedBy ?? '')).length },
  };
}

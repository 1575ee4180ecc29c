/**
 * Keeps @libp2p/webrtc's 'init' data channel open at the answering end until the dialer has seen it.
 *
 * A browser-to-browser dial (@libp2p/webrtc 6.0.33, private-to-private) opens a data channel
 * labelled 'init' before its SDP offer. After the RTCPeerConnection says "connected" the dialer
 * checks `channel.readyState` and, unless it is 'open', waits for the channel's 'open' event
 * (initiate-connection.js: `if (channel.readyState !== 'open') await pEvent(channel, 'open')`).
 * The answering end, as soon as it is connected, upgrades the connection, and its muxer closes
 * every channel labelled 'init' it is handed (muxer.js, `onDataChannel`). When the answerer gets
 * there first — it is connected before the dialer, which still has to read the SDP answer through
 * the relay and apply it — the dialer's page receives, in this order: the init channel 'open',
 * its 'close' (the answerer's), then "connected". libp2p then finds the channel closed, waits for
 * an 'open' that has already passed, and the dial ends at its budget with a TimeoutError, while
 * the answerer holds an upgraded connection whose streams get no answer. In the bench's traces
 * (`--trace-dials`, apps/web/bench/pc-trace.ts) every failed dial at 4 pages was this (20 of 20
 * over 8 runs): the dialer's init channel opened and was closed by the answerer 0–22 ms later, at
 * or before its "connected", on SCTP associations that were up (the answerer's stream channels
 * opened on them).
 *
 * The answering end of the dialer's 'init' channel is kept out of libp2p's sight, so nothing closes
 * it before the dialer does (the dialer closes it itself once it has seen it open, which closes
 * both ends); one left open by a dialer that stops short is closed after `INIT_CHANNEL_GRACE_MS`.
 * Only the first 'init' channel of a connection is held: any further one goes to libp2p, which
 * closes it at once, so a peer cannot park channels this way.
 *
 * @libp2p/webrtc takes `globalThis.RTCPeerConnection` when its browser module is evaluated
 * (webrtc/index.browser.js) and has no option for it, so `importWebRTC` evaluates it with this
 * class in place and then puts the page's own back.
 */

import { withJoinedChannelSends } from './data-channel-sends.ts';

/** The label @libp2p/webrtc's dialer gives its first channel (private-to-private/initiate-connection.js). */
export const LIBP2P_INIT_CHANNEL_LABEL = 'init';

/**
 * How long the answering end keeps the dialer's 'init' channel open if the dialer never closes it
 * (ms): the page's whole dial budget (peer-node.ts DIAL_TIMEOUT_MS, 15 s), after which a dialer
 * that has not seen the channel has given up and closed the connection anyway.
 */
export const INIT_CHANNEL_GRACE_MS = 15_000;

type PeerConnectionClass = typeof RTCPeerConnection;

/** `Base` with the answering end of the dialer's 'init' channel kept from libp2p's muxer (see above). */
export function withInitChannelHeld(Base: PeerConnectionClass, graceMs = INIT_CHANNEL_GRACE_MS): PeerConnectionClass {
  return class InitChannelHoldingPeerConnection extends Base {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      let held = false;
      // Registered in the constructor, so before any listener of libp2p's (DataChannelMuxerFactory,
      // then the muxer's ondatachannel): stopping the event here keeps it from both.
      this.addEventListener('datachannel', (e: RTCDataChannelEvent) => {
        if (held || e.channel.label !== LIBP2P_INIT_CHANNEL_LABEL) return;
        held = true;
        e.stopImmediatePropagation();
        const channel = e.channel;
        const timer = setTimeout(() => channel.close(), graceMs);
        channel.addEventListener('close', () => clearTimeout(timer));
      });
    }
  };
}

/**
 * Imports @libp2p/webrtc so that its connections are made with `withInitChannelHeld` and join the
 * parts of each write into one data channel message (`withJoinedChannelSends`,
 * data-channel-sends.ts), leaving `scope.RTCPeerConnection` as it was for everything else in the
 * page. The first import decides (modules are evaluated once), so the page's libp2p node takes
 * @libp2p/webrtc only from here.
 */
export async function importWebRTC(scope: { RTCPeerConnection: PeerConnectionClass } = globalThis): Promise<typeof import('@libp2p/webrtc')> {
  const own = scope.RTCPeerConnection;
  // The hold's listener is registered first (the inner constructor), so a held 'init' channel never reaches the joining.
  scope.RTCPeerConnection = withJoinedChannelSends(withInitChannelHeld(own));
  try {
    return await import('@libp2p/webrtc');
  } finally {
    scope.RTCPeerConnection = own;
  }
}

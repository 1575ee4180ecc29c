/**
 * One data channel message per libp2p write, not two.
 *
 * @libp2p/webrtc (6.0.33, stream.js) frames every write on a stream as a length-prefixed protobuf
 * and hands the channel each part of that frame on its own: `channel.send(length)`, then
 * `channel.send(message)`. Every gossiped share, IHAVE, ping or sync answer between two pages was
 * two SCTP messages: two crossings of the renderer's main thread into the WebRTC threads at the
 * sender, two 'message' tasks on the receiver's main thread, each waiting for a CPU on a busy
 * machine (bench:p2p --profile-network, 4 pages: 58 data channel messages a page and second, 30
 * after this, for the same bytes). The reader decodes the frames from a byte stream
 * (lengthPrefixed.decode over every message it got), so the bytes can be sent in one message
 * without changing what it reads: this joins what a channel is given in one turn of the event
 * loop (a microtask later) into one `send`.
 *
 * The bytes are copied when they are given (libp2p may reuse its buffers once `send` returns), a
 * joined message stays within `maxBytes` (what is held is sent first when the next part would pass
 * it: a big message on one channel holds up the others of its SCTP association), `bufferedAmount`
 * counts what is held, and `close()` sends what is held before it closes. A channel that is no
 * longer open when the turn ends drops what it held, as its own `send` would have failed: libp2p
 * learns of the close from the channel's events, as it does now. Strings and Blobs (not sent by
 * libp2p) go through at once, after anything held.
 */

/** The most bytes one joined message carries: libp2p's own message size (its MAX_MESSAGE_SIZE, 16 KiB). */
export const MAX_JOINED_MESSAGE_BYTES = 16 * 1024;

/** Makes `channel.send` join the parts it is given in one turn into one message (see above). Idempotent. */
export function joinChannelSends(channel: RTCDataChannel, maxBytes = MAX_JOINED_MESSAGE_BYTES): RTCDataChannel {
  const marked = channel as RTCDataChannel & { otedamaJoined?: true };
  if (marked.otedamaJoined) return channel;
  marked.otedamaJoined = true;
  const send = channel.send.bind(channel) as (data: string | Blob | ArrayBuffer | ArrayBufferView<ArrayBuffer>) => void;
  const close = channel.close.bind(channel);
  const buffered = Object.getOwnPropertyDescriptor(RTCDataChannel.prototype, 'bufferedAmount')?.get;
  let held: Uint8Array<ArrayBuffer>[] = [];
  let heldBytes = 0;

  /** Sends what is held as one message; a send that throws is the caller's to see. */
  const sendHeld = (): void => {
    if (held.length === 0) return;
    const parts = held;
    const bytes = heldBytes;
    held = [];
    heldBytes = 0;
    if (parts.length === 1) return send(parts[0]!);
    const whole = new Uint8Array(bytes);
    let at = 0;
    for (const p of parts) {
      whole.set(p, at);
      at += p.byteLength;
    }
    send(whole);
  };
  /** The end of a turn: nobody is there to catch, so a channel that cannot send any more is closed. */
  const flush = (): void => {
    if (held.length === 0) return;
    if (channel.readyState !== 'open') {
      held = [];
      heldBytes = 0;
      return;
    }
    try {
      sendHeld();
    } catch {
      close();
    }
  };

  channel.send = (data: string | Blob | ArrayBuffer | ArrayBufferView) => {
    if (channel.readyState !== 'open' || typeof data === 'string' || data instanceof Blob) {
      sendHeld();
      return send(data as ArrayBuffer);
    }
    const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    if (heldBytes > 0 && heldBytes + bytes.byteLength > maxBytes) sendHeld();
    if (held.length === 0) queueMicrotask(flush);
    held.push(bytes.slice());
    heldBytes += bytes.byteLength;
  };
  channel.close = () => {
    flush();
    close();
  };
  if (buffered) Object.defineProperty(channel, 'bufferedAmount', { configurable: true, get: () => (buffered.call(channel) as number) + heldBytes });
  return channel;
}

type PeerConnectionClass = typeof RTCPeerConnection;

/** `Base` whose data channels, made here or opened by the other end, join their sends (`joinChannelSends`). */
export function withJoinedChannelSends(Base: PeerConnectionClass, maxBytes = MAX_JOINED_MESSAGE_BYTES): PeerConnectionClass {
  return class JoinedSendsPeerConnection extends Base {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      // Registered in the constructor, so before libp2p's own listener is handed the channel.
      this.addEventListener('datachannel', (e: RTCDataChannelEvent) => void joinChannelSends(e.channel, maxBytes));
    }

    override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
      return joinChannelSends(super.createDataChannel(label, init), maxBytes);
    }
  };
}

/**
 * The WebSocket job feed for browser miners: Stratum V1 JSON-RPC, one message per line, over
 * a WebSocket at /ws/stratum. Each socket is wrapped in a stream that looks like a TCP socket to
 * the Stratum server, so browser shares take exactly the validation, vardiff, ban and
 * accounting path that ASIC shares take.
 *
 * Back-pressure both ways, as a TCP socket has it:
 *   - out: a write is reported done only when `ws` has handed its messages to the socket (the
 *     send callback), so the stream's writableLength holds everything the browser has not taken
 *     yet and write() returns false when it is full; the session then stops reading and closes a
 *     connection whose unread output passes its bound. (Reporting every write done at once let
 *     one client that never read grow the edge to 4.4 GB.)
 *   - in: when the session pauses the stream and its read buffer fills, the WebSocket is paused
 *     (`ws.pause()` stops reading the socket) until the session reads again.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/** Longest WebSocket message accepted (bytes); the Stratum line limit applies inside too. */
export const MAX_WS_MESSAGE_BYTES = 64 * 1024;
/** Buffer sizes of the stream (bytes): a few dozen Stratum lines each way. */
export const WS_STREAM_HIGH_WATER_MARK = 16 * 1024;

/** A duplex stream over one WebSocket: each outgoing line is one message, each message one line. */
export class WebSocketLineStream extends Duplex {
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly localPort: number;
  private pendingOut = '';
  private wsPaused = false;

  constructor(
    private readonly ws: WebSocket,
    addresses: { remoteAddress: string; localAddress: string; localPort: number },
  ) {
    super({ decodeStrings: false, allowHalfOpen: false, readableHighWaterMark: WS_STREAM_HIGH_WATER_MARK, writableHighWaterMark: WS_STREAM_HIGH_WATER_MARK });
    this.remoteAddress = addresses.remoteAddress;
    this.localAddress = addresses.localAddress;
    this.localPort = addresses.localPort;
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data);
      // A message is a line; a message holding newlines carries several lines.
      if (!this.push(text.endsWith('\n') ? text : text + '\n') && !this.wsPaused) {
        this.wsPaused = true;
        ws.pause();
      }
    });
    ws.on('close', () => {
      this.push(null);
      this.destroy();
    });
    ws.on('error', (err) => this.destroy(err));
  }

  /** Bytes the WebSocket itself still holds for the browser (ws's queue and its socket's). */
  get wsBufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** True while the WebSocket is paused because the session does not read. */
  get inputPaused(): boolean {
    return this.wsPaused;
  }

  override _read(): void {
    // The session wants more: let the WebSocket read its socket again.
    if (this.wsPaused) {
      this.wsPaused = false;
      this.ws.resume();
    }
  }

  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.pendingOut += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const lines: string[] = [];
    let nl: number;
    while ((nl = this.pendingOut.indexOf('\n')) >= 0) {
      const line = this.pendingOut.slice(0, nl);
      this.pendingOut = this.pendingOut.slice(nl + 1);
      if (line) lines.push(line);
    }
    if (lines.length === 0 || this.ws.readyState !== this.ws.OPEN) {
      done();
      return;
    }
    // Done when the last message of this write is flushed to the socket (ws sends in order).
    for (let i = 0; i < lines.length - 1; i++) this.ws.send(lines[i]!);
    this.ws.send(lines[lines.length - 1]!, (err) => done(err ?? null));
  }

  override _final(done: (err?: Error | null) => void): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000, 'bye');
    done();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.terminate();
    done(err);
  }

  /** The Stratum session treats this stream as a TCP socket. */
  asSocket(): Socket {
    return this as unknown as Socket;
  }
}

/**
 * The WebSocket job feed for browser miners: Stratum V1 JSON-RPC, one message per line, over
 * a WebSocket at /ws/stratum. Each socket is wrapped in a stream that looks like a TCP socket to
 * the Stratum server, so browser shares take exactly the validation, vardiff, ban and
 * accounting path that ASIC shares take.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/** Longest WebSocket message accepted (bytes); the Stratum line limit applies inside too. */
export const MAX_WS_MESSAGE_BYTES = 64 * 1024;

/** A duplex stream over one WebSocket: each outgoing line is one message, each message one line. */
export class WebSocketLineStream extends Duplex {
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly localPort: number;
  private pendingOut = '';

  constructor(
    private readonly ws: WebSocket,
    addresses: { remoteAddress: string; localAddress: string; localPort: number },
  ) {
    super({ decodeStrings: false, allowHalfOpen: false });
    this.remoteAddress = addresses.remoteAddress;
    this.localAddress = addresses.localAddress;
    this.localPort = addresses.localPort;
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data);
      // A message is a line; a message holding newlines carries several lines.
      this.push(text.endsWith('\n') ? text : text + '\n');
    });
    ws.on('close', () => {
      this.push(null);
      this.destroy();
    });
    ws.on('error', (err) => this.destroy(err));
  }

  override _read(): void {
    // Messages are pushed as they arrive; flow control is the WebSocket's own.
  }

  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.pendingOut += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let nl: number;
    while ((nl = this.pendingOut.indexOf('\n')) >= 0) {
      const line = this.pendingOut.slice(0, nl);
      this.pendingOut = this.pendingOut.slice(nl + 1);
      if (line && this.ws.readyState === this.ws.OPEN) this.ws.send(line);
    }
    done();
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

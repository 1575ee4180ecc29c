/**
 * Raw HTTP over a real TCP socket for tests: send exact bytes (bare LF, pipelined requests,
 * garbage), read what comes back, and split it into responses by Content-Length.
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  readonly statusLine: string;
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Splits a byte stream into HTTP responses (Content-Length framed; 1xx and 204 have no body). */
export function parseResponses(data: Buffer): RawResponse[] {
  const out: RawResponse[] = [];
  let pos = 0;
  while (pos < data.length) {
    const end = data.indexOf('\r\n\r\n', pos);
    if (end < 0) break;
    const [statusLine, ...lines] = data.toString('latin1', pos, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
    }
    const status = Number(statusLine!.split(' ')[1]);
    const length = status < 200 || status === 204 ? 0 : Number(headers['content-length'] ?? 0);
    const bodyStart = end + 4;
    out.push({ statusLine: statusLine!, status, headers, body: data.toString('utf8', bodyStart, bodyStart + length) });
    pos = bodyStart + length;
  }
  return out;
}

export interface RawExchange {
  /** Everything the server sent. */
  readonly data: Buffer;
  readonly responses: RawResponse[];
  /** True when the server closed the connection (rather than the wait running out). */
  readonly closedByServer: boolean;
  /** Chunks written before the server closed the connection. */
  readonly written: number;
}

/** Connects, writes each chunk in turn (with `gapMs` between), then reads until close or `waitMs` of silence. */
export function exchange(port: number, chunks: (string | Buffer)[], options: { gapMs?: number; waitMs?: number; endAfterWrite?: boolean } = {}): Promise<RawExchange> {
  const waitMs = options.waitMs ?? 500;
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    let quiet: NodeJS.Timeout | undefined;
    let closedByServer = false;
    let written = 0;
    const finish = () => {
      clearTimeout(quiet);
      socket.destroy();
      const data = Buffer.concat(got);
      resolve({ data, responses: parseResponses(data), closedByServer, written });
    };
    const rearm = () => {
      clearTimeout(quiet);
      quiet = setTimeout(finish, waitMs);
    };
    socket.on('data', (c: Buffer) => {
      got.push(c);
      rearm();
    });
    socket.on('end', () => {
      closedByServer = true;
      finish();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
        closedByServer = true;
        finish();
      } else reject(err);
    });
    socket.once('connect', async () => {
      for (const c of chunks) {
        if (socket.destroyed || closedByServer) return;
        socket.write(c);
        written++;
        if (options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
      }
      if (options.endAfterWrite) socket.end();
      rearm();
    });
  });
}

/** Builds a request with bare-LF or CRLF line ends and a correct Content-Length. */
export function httpRequest(body: string, headers: Record<string, string>, eol: '\n' | '\r\n' = '\r\n', requestLine = 'POST / HTTP/1.1'): string {
  const lines = [requestLine, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), `Content-Length: ${Buffer.byteLength(body)}`];
  return `${lines.join(eol)}${eol}${eol}${body}`;
}

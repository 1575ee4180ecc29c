/**
 * The local control endpoint of a running `otedama mine`: a tiny HTTP API on 127.0.0.1 that
 * `otedama mining start|stop|status` talks to.
 *
 *   GET  /status  -> the miner's status (JSON)
 *   POST /pause   -> stop hashing, keep the pool connection   (otedama mining stop)
 *   POST /resume  -> hash again                               (otedama mining start)
 *   POST /stop    -> end the miner process gracefully
 *
 * It listens on loopback only. Because any web page can send requests to 127.0.0.1, requests
 * that carry an Origin header (every cross-site fetch does) are refused, the Host header must
 * name loopback (DNS rebinding), and POSTs must carry `X-Otedama-Control: 1`, a header a page
 * cannot add without a CORS preflight this server never approves.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MinerControlError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export const DEFAULT_CONTROL_PORT = 4049;
export const CONTROL_HOST = '127.0.0.1';
export const CONTROL_HEADER = 'x-otedama-control';

export interface ControlTarget {
  status(): unknown;
  pause(): void;
  resume(): void;
  /** Ends the miner (the response is sent first). */
  stop(): void;
}

export interface ControlServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

const LOOPBACK_HOST_RE = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?$/i;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function handleControlRequest(target: ControlTarget, req: IncomingMessage, res: ServerResponse): void {
  if (req.headers.origin !== undefined) return send(res, 403, { error: 'requests from web pages are not allowed' });
  if (!LOOPBACK_HOST_RE.test(req.headers.host ?? '')) return send(res, 403, { error: 'the Host header must be 127.0.0.1 or localhost' });
  const path = (req.url ?? '/').split('?')[0];
  const routes: Record<string, { method: string; run: () => unknown }> = {
    '/status': { method: 'GET', run: () => target.status() },
    '/pause': { method: 'POST', run: () => (target.pause(), target.status()) },
    '/resume': { method: 'POST', run: () => (target.resume(), target.status()) },
    '/stop': { method: 'POST', run: () => ({ stopping: true }) },
  };
  const route = path ? routes[path] : undefined;
  if (!route) return send(res, 404, { error: `no such endpoint ${path}; try GET /status, POST /pause, /resume, /stop` });
  if (req.method !== route.method) {
    res.setHeader('allow', route.method);
    return send(res, 405, { error: `${path} takes ${route.method}` });
  }
  if (route.method === 'POST' && req.headers[CONTROL_HEADER] !== '1') {
    return send(res, 403, { error: `POST needs the header ${CONTROL_HEADER}: 1` });
  }
  try {
    send(res, 200, route.run());
  } catch (err) {
    send(res, 500, { error: (err as Error).message });
  }
  if (path === '/stop') res.once('finish', () => target.stop());
}

/** Listens on 127.0.0.1:port (0: any free port). Throws MinerControlError when the port is taken. */
export async function startControlServer(target: ControlTarget, port: number, logger: Logger): Promise<ControlServer> {
  const log = logger.forComponent('miner:control');
  const server: Server = createServer((req, res) => {
    req.resume();
    handleControlRequest(target, req, res);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new MinerControlError(`control port ${CONTROL_HOST}:${port} is already in use (is another otedama miner running? pick another with --control-port)`)
          : new MinerControlError(`cannot listen on ${CONTROL_HOST}:${port}: ${err.message}`),
      );
    });
    server.listen(port, CONTROL_HOST, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  const url = `http://${CONTROL_HOST}:${actual}`;
  log.info('control endpoint listening', { url });
  let closed = false;
  return {
    port: actual,
    url,
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

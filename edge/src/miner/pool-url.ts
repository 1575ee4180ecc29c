/**
 * Pool addresses as miners write them: `stratum+tcp://host:port` (plain TCP) and
 * `stratum+tcps://host:port` (TLS; `stratum+ssl://` is accepted as an alias). A bare
 * `host:port` means plain TCP.
 */
import { PoolUrlError } from '../errors.ts';

export const DEFAULT_POOL_URL = 'stratum+tcp://127.0.0.1:3333';

export interface PoolUrl {
  readonly tls: boolean;
  readonly host: string;
  readonly port: number;
}

const SCHEMES: Record<string, boolean> = {
  'stratum+tcp': false,
  stratum: false,
  'stratum+tcps': true,
  'stratum+ssl': true,
  'stratum+tls': true,
};

export function parsePoolUrl(text: string): PoolUrl {
  const raw = String(text ?? '').trim();
  if (!raw) throw new PoolUrlError('pool URL is empty (expected stratum+tcp://host:port)');
  let scheme = 'stratum+tcp';
  let rest = raw;
  const sep = raw.indexOf('://');
  if (sep >= 0) {
    scheme = raw.slice(0, sep).toLowerCase();
    rest = raw.slice(sep + 3);
  }
  const tls = SCHEMES[scheme];
  if (tls === undefined) {
    throw new PoolUrlError(`pool URL scheme "${scheme}://" is not supported (use stratum+tcp:// or stratum+tcps://)`);
  }
  rest = rest.replace(/\/+$/, '');
  if (rest.includes('/') || rest.includes('@')) {
    throw new PoolUrlError(`pool URL "${raw}" must be scheme://host:port with no path or credentials`);
  }
  // [v6]:port or host:port
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(rest);
  if (!m) throw new PoolUrlError(`pool URL "${raw}" needs a host and a port, e.g. stratum+tcp://127.0.0.1:3333`);
  const host = m[1] ?? m[2]!;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new PoolUrlError(`pool URL port ${port} is outside 1..65535`);
  return { tls, host, port };
}

export function formatPoolUrl(url: PoolUrl): string {
  const host = url.host.includes(':') ? `[${url.host}]` : url.host;
  return `${url.tls ? 'stratum+tcps' : 'stratum+tcp'}://${host}:${url.port}`;
}

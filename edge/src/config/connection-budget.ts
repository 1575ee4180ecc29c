/**
 * How many connections the edge may hold at once. Every connection is a file descriptor, and the
 * process has a fixed number (RLIMIT_NOFILE, what `ulimit -n` prints): when Stratum connections
 * take them all, the edge can no longer accept an HTTP request, open its database or reach its
 * node. So the limit is read once at start and split: a reserve for everything that is not a
 * client connection, then HTTP (API, web app, WebSocket feed) and Stratum share the rest.
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/**
 * Descriptors kept for what is not a client connection: the database (SQLite file, WAL and
 * shared memory, or PostgreSQL's pool of 8), simnet's block file, RPC server and client sockets,
 * the listening sockets, profile and log files, worker threads, Node's own (stdio, epoll, signal
 * pipes), and libp2p peers (a later issue sizes their share; its default connection manager
 * keeps a few hundred). At most a quarter of a small limit.
 */
export const RESERVED_DESCRIPTORS = 512;
/** HTTP's part of what is left after the reserve (API, web app, WebSocket job feed). */
export const HTTP_SHARE = 0.2;
/** The smallest HTTP connection limit (a dashboard and a health check must always fit). */
export const MIN_HTTP_CONNECTIONS = 16;
/** Limit assumed where the process limit cannot be read, or reads "unlimited" (Linux's usual soft limit is 1024). */
export const FALLBACK_DESCRIPTOR_LIMIT = 1024;
/** Largest limit used even when the process allows more (an "unlimited" or huge limit is not a promise of memory). */
export const MAX_DESCRIPTOR_LIMIT = 1_048_576;

export interface ConnectionBudget {
  /** The descriptor limit the budget was computed from. */
  readonly descriptorLimit: number;
  /** Where the limit came from ('/proc/self/limits', 'ulimit -n', 'fallback'). */
  readonly source: string;
  readonly reserved: number;
  /** Most HTTP connections (WebSocket feed included). */
  readonly http: number;
  /** Most Stratum connections (TCP, TLS and the WebSocket feed together). */
  readonly stratum: number;
}

/** The soft RLIMIT_NOFILE of this process, and where it was read. */
export function readDescriptorLimit(): { limit: number; source: string } {
  try {
    const text = readFileSync('/proc/self/limits', 'utf8');
    const m = /^Max open files\s+(\S+)/m.exec(text);
    if (m) {
      const n = Number(m[1]);
      if (Number.isInteger(n) && n > 0) return { limit: Math.min(n, MAX_DESCRIPTOR_LIMIT), source: '/proc/self/limits' };
      return { limit: FALLBACK_DESCRIPTOR_LIMIT, source: 'fallback (unlimited)' };
    }
  } catch {
    // Not Linux: ask a shell, which inherits this process's limit.
  }
  const r = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 2000 });
  const n = Number(String(r.stdout ?? '').trim());
  if (r.status === 0 && Number.isInteger(n) && n > 0) return { limit: Math.min(n, MAX_DESCRIPTOR_LIMIT), source: 'ulimit -n' };
  return { limit: FALLBACK_DESCRIPTOR_LIMIT, source: 'fallback' };
}

/** Splits a descriptor limit (see the module comment). */
export function connectionBudget(descriptorLimit: number, source = 'given'): ConnectionBudget {
  const limit = Math.max(64, Math.floor(descriptorLimit));
  const reserved = Math.min(RESERVED_DESCRIPTORS, Math.floor(limit / 4));
  const usable = limit - reserved;
  const http = Math.max(MIN_HTTP_CONNECTIONS, Math.floor(usable * HTTP_SHARE));
  return { descriptorLimit: limit, source, reserved, http, stratum: usable - http };
}

/** The budget of this process (reads the limit once per call; call it once at start). */
export function processConnectionBudget(): ConnectionBudget {
  const { limit, source } = readDescriptorLimit();
  return connectionBudget(limit, source);
}

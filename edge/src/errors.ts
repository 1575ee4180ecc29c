/** Typed errors of the edge and the CLI; each has a stable name and a reason a user can act on. */
import { OtedamaError } from '@otedama/core';

/** Bad command-line usage: unknown command or flag, missing or malformed value. Exit code 2. */
export class CliUsageError extends OtedamaError {
  override readonly name = 'CliUsageError';
  constructor(reason: string) {
    super('usage', reason);
  }
}

/**
 * A configuration value that is missing, unknown or of the wrong type. From a config file,
 * `issues` lists every problem found, each as "file:line: message"; `reason` joins them.
 */
export class ConfigError extends OtedamaError {
  override readonly name = 'ConfigError';
  readonly issues: readonly string[];
  constructor(reason: string, issues?: readonly string[]) {
    super('config', reason);
    this.issues = issues ?? [reason];
  }
}

/** A pool URL that is not stratum+tcp://host:port or stratum+tcps://host:port. */
export class PoolUrlError extends OtedamaError {
  override readonly name = 'PoolUrlError';
  constructor(reason: string) {
    super('pool-url', reason);
  }
}

/**
 * A line from a Stratum pool that is not valid Stratum V1 (not JSON, wrong shape, bad field),
 * or a pool that refused the session (subscribe or authorize failed).
 */
export class StratumClientError extends OtedamaError {
  override readonly name = 'StratumClientError';
  constructor(reason: string, options?: { cause?: unknown }) {
    super('stratum-client', reason, options);
  }
}

/** `otedama mining start|stop|status` could not reach or use a running miner's control endpoint. */
export class MinerControlError extends OtedamaError {
  override readonly name = 'MinerControlError';
  constructor(reason: string) {
    super('miner-control', reason);
  }
}

/** Every extranonce1 value is held by a live Stratum connection (raise stratum.extranonce1Bytes). */
export class ExtranonceExhaustedError extends OtedamaError {
  override readonly name = 'ExtranonceExhaustedError';
  constructor(bytes: number) {
    super('extranonce-exhausted', `every ${bytes}-byte extranonce1 is in use; raise stratum.extranonce1Bytes`);
  }
}

/** The Stratum server could not start: a port in use, unreadable TLS files, a bad setting. */
export class StratumServerError extends OtedamaError {
  override readonly name = 'StratumServerError';
  constructor(reason: string, options?: { cause?: unknown }) {
    super('stratum-server', reason, options);
  }
}

/** No job can be made from the current template (bad payout outputs, coinbase too large, ...). */
export class JobBuildError extends OtedamaError {
  override readonly name = 'JobBuildError';
  constructor(reason: string, options?: { cause?: unknown }) {
    super('job-build', reason, options);
  }
}

/**
 * The database could not be opened, migrated, read or written. `operation` says what was being
 * done (open, migrate, query, commit); the reason names the database and what to check.
 */
export class StorageError extends OtedamaError {
  override readonly name = 'StorageError';
  constructor(readonly operation: string, reason: string, options?: { cause?: unknown }) {
    super('storage', reason, options);
  }
}

/**
 * The database already holds a share with this hash (the UNIQUE index on shares.hash): the share
 * was credited before, through another job id, connection or edge. The miner is told "duplicate".
 */
export class DuplicateShareError extends OtedamaError {
  override readonly name = 'DuplicateShareError';
  constructor(readonly hash: string) {
    super('duplicate-share', `a share with hash ${hash} is already recorded`);
  }
}

/** Another running otedama holds the data folder (its lock file); nothing in the folder was touched. */
export class DataDirLockedError extends OtedamaError {
  override readonly name = 'DataDirLockedError';
  constructor(
    readonly dataDir: string,
    readonly holderPid: number | undefined,
  ) {
    super(
      'data-dir-locked',
      `the data folder ${dataDir} is in use by another otedama${holderPid ? ` (pid ${holderPid})` : ''}; stop it first, or give this one its own folder with --data-dir`,
    );
  }
}

/** A JSON-RPC error answered by the coin node (bitcoind's code and message, e.g. -28 warming up). */
export class RpcError extends OtedamaError {
  override readonly name = 'RpcError';
  constructor(
    readonly rpcCode: number,
    readonly rpcMessage: string,
    readonly method: string,
  ) {
    super('rpc', `${method}: node answered error ${rpcCode}: ${rpcMessage}`);
  }
}

/**
 * The coin node could not be reached or did not speak JSON-RPC: connection refused, timeout,
 * HTTP error without a JSON-RPC body, garbage. `retryable` is true for connection-level failures.
 */
export class RpcTransportError extends OtedamaError {
  override readonly name = 'RpcTransportError';
  constructor(
    reason: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super('rpc-transport', reason, options);
  }
}

/** The coin node refused the credentials (HTTP 401/403): wrong user/password or a stale cookie. */
export class RpcAuthError extends OtedamaError {
  override readonly name = 'RpcAuthError';
  constructor(reason: string) {
    super('rpc-auth', reason);
  }
}

/** Simnet's block file is unreadable or holds a block that fails validation. */
export class SimnetStoreError extends OtedamaError {
  override readonly name = 'SimnetStoreError';
  constructor(reason: string, options?: { cause?: unknown }) {
    super('simnet-store', reason, options);
  }
}

/** Simnet could not start (RPC port in use, data folder not writable, ...). */
export class SimnetError extends OtedamaError {
  override readonly name = 'SimnetError';
  constructor(reason: string, options?: { cause?: unknown }) {
    super('simnet', reason, options);
  }
}

/** A metric registered twice, a bad metric or label name, a counter decremented, labels that do not match. */
export class MetricsError extends OtedamaError {
  override readonly name = 'MetricsError';
  constructor(reason: string) {
    super('metrics', reason);
  }
}

/**
 * A request the HTTP API refuses: bad input (400), unknown resource (404), forbidden (403),
 * too many requests (429). Formats itself as the JSON error body every API route answers with:
 * `{ "error": { "code", "message", "field"? } }`.
 */
export class ApiError extends OtedamaError {
  override readonly name = 'ApiError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 503,
    code: string,
    reason: string,
    readonly details: { readonly field?: string; readonly retryAfterSeconds?: number } = {},
  ) {
    super(code, reason);
  }

  getResponse(): Response {
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (this.details.retryAfterSeconds !== undefined) headers['retry-after'] = String(this.details.retryAfterSeconds);
    const body = { error: { code: this.code, message: this.reason, ...(this.details.field ? { field: this.details.field } : {}) } };
    return new Response(JSON.stringify(body), { status: this.status, headers });
  }
}

/** No edge answers at the URL a CLI command talks to, or it answered with an error. */
export class EdgeClientError extends OtedamaError {
  override readonly name = 'EdgeClientError';
  constructor(reason: string, readonly status?: number) {
    super(status === undefined ? 'edge-unreachable' : 'edge-api', reason);
  }
}

/** A listener (HTTP, metrics) could not bind its address: port in use, no permission. */
export class ListenError extends OtedamaError {
  override readonly name = 'ListenError';
  constructor(what: string, host: string, port: number, err: Error & { code?: string }) {
    const why =
      err.code === 'EADDRINUSE'
        ? `the port is in use (another otedama? choose another with the ${what === 'HTTP' ? '--http-port' : 'port'} flag)`
        : err.code === 'EACCES'
          ? 'permission denied (ports below 1024 need privileges)'
          : err.message;
    super('listen', `${what} cannot listen on ${host}:${port}: ${why}`, { cause: err });
  }
}

/** The libp2p node could not start: an address in use, a listen address it cannot bind. */
export class P2pError extends OtedamaError {
  override readonly name = 'P2pError';
  constructor(reason: string, options?: { cause?: unknown }) {
    super('p2p', reason, options);
  }
}

/** The node's key file (its peer id) is unreadable or not a libp2p private key. */
export class P2pKeyError extends OtedamaError {
  override readonly name = 'P2pKeyError';
  constructor(readonly path: string, reason: string, options?: { cause?: unknown }) {
    super('p2p-key', reason, options);
  }
}

/** A sync request that failed: the peer answered an error, sent garbage, went away or was too slow. */
export class SyncError extends OtedamaError {
  override readonly name = 'SyncError';
  constructor(reason: string, options?: { cause?: unknown }) {
    super('sync', reason, options);
  }
}

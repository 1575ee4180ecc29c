/**
 * `otedama net test`: checks, from the configuration (file, environment, flags), that the edge's
 * HTTP and Stratum ports accept connections and that the chain's RPC answers getblockchaininfo.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import { JSON_FLAG, type Command } from '../command.ts';
import type { EdgeConfig } from '../config/config.ts';
import { silentLogger } from '../logger.ts';
import { RpcClient } from '../chain/rpc-client.ts';
import { COOKIE_FILE, simnetDir } from '../simnet/simnet.ts';
import { noPositionals } from './edge-api.ts';
import { edgeConfigFromFlags, LOCATION_FLAGS } from './pool.ts';

/** How long one check may take. */
const CHECK_TIMEOUT_MS = 3000;

export interface CheckResult {
  readonly name: string;
  readonly target: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly ms: number;
}

/** A loopback client can reach a server bound to all interfaces through 127.0.0.1. */
function dialHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

function tcpCheck(name: string, host: string, port: number): Promise<CheckResult> {
  const started = performance.now();
  const target = `${host}:${port}`;
  return new Promise((resolve) => {
    const socket = connect({ host: dialHost(host), port });
    const done = (ok: boolean, detail: string) => {
      socket.destroy();
      resolve({ name, target, ok, detail, ms: Math.round(performance.now() - started) });
    };
    socket.setTimeout(CHECK_TIMEOUT_MS, () => done(false, `no answer within ${CHECK_TIMEOUT_MS} ms`));
    socket.once('connect', () => done(true, 'accepts connections'));
    socket.once('error', (err: NodeJS.ErrnoException) => done(false, err.code === 'ECONNREFUSED' ? 'connection refused (is the edge running?)' : err.message));
  });
}

async function httpCheck(host: string, port: number): Promise<CheckResult> {
  const started = performance.now();
  const target = `http://${dialHost(host)}:${port}/health`;
  try {
    const res = await fetch(target, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
    const body = (await res.json().catch(() => ({}))) as { status?: string };
    const ok = res.ok && body.status === 'ok';
    return { name: 'http', target, ok, detail: ok ? 'edge /health answers ok' : `HTTP ${res.status}, not an Otedama edge's /health`, ms: Math.round(performance.now() - started) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { name: 'http', target, ok: false, detail: e.cause?.code === 'ECONNREFUSED' ? 'connection refused (is the edge running?)' : e.cause?.code ?? e.message, ms: Math.round(performance.now() - started) };
  }
}

/** The RPC endpoint and credentials the edge itself would use. */
export function rpcEndpoint(config: EdgeConfig): { url: string; user?: string; password?: string; cookieFile?: string } {
  if (config.chain.mode === 'simnet') {
    return { url: `http://127.0.0.1:${config.chain.simnet.rpcPort}/`, cookieFile: join(config.dataDir, simnetDir(config.chain.coin ?? 'bitcoin'), COOKIE_FILE) };
  }
  return {
    url: config.chain.rpcUrl!,
    ...(config.chain.rpcUser ? { user: config.chain.rpcUser } : {}),
    ...(config.chain.rpcPassword ? { password: config.chain.rpcPassword } : {}),
    ...(config.chain.rpcCookieFile ? { cookieFile: config.chain.rpcCookieFile } : {}),
  };
}

export async function rpcCheck(config: EdgeConfig): Promise<CheckResult & { chain?: string; blocks?: number }> {
  const started = performance.now();
  const ep = rpcEndpoint(config);
  const client = new RpcClient({ ...ep, logger: silentLogger, timeoutMs: CHECK_TIMEOUT_MS, retries: 0 });
  try {
    const info = await client.call<{ chain: string; blocks: number }>('getblockchaininfo', [], { retries: 0 });
    return { name: 'rpc', target: ep.url, ok: true, detail: `getblockchaininfo: chain ${info.chain}, ${info.blocks} blocks`, ms: Math.round(performance.now() - started), chain: info.chain, blocks: info.blocks };
  } catch (err) {
    const e = err as { reason?: string; message?: string };
    return { name: 'rpc', target: ep.url, ok: false, detail: e.reason ?? e.message ?? String(err), ms: Math.round(performance.now() - started) };
  }
}

export const netTestCommand: Command = {
  words: ['net', 'test'],
  summary: "check that the configured HTTP and Stratum ports answer and the chain's RPC responds",
  usage: '[--config FILE] [--http-port P] [--stratum-port P] [--rpc-port P] [--data-dir DIR] [--json]',
  details: 'Reads the same configuration as otedama pool (file, environment, flags). Exit status 1 when a check fails.',
  flags: [...LOCATION_FLAGS, JSON_FLAG],
  async run(args, io) {
    noPositionals(args.positionals);
    const config = edgeConfigFromFlags(args.flags, io.env);
    const results = await Promise.all([
      httpCheck(config.http.host, config.http.port),
      tcpCheck('stratum', config.stratum.host, config.stratum.port),
      rpcCheck(config),
    ]);
    const ok = results.every((r) => r.ok);
    if (args.flags.json) io.out(JSON.stringify({ ok, checks: results }));
    else {
      for (const r of results) io.out(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.name.padEnd(8)} ${r.target.padEnd(36)} ${r.detail} (${r.ms} ms)`);
      io.out(ok ? 'all checks passed' : 'some checks failed');
    }
    return ok ? 0 : 1;
  },
};

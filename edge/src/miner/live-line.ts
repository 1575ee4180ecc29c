/**
 * The miner's live status line: one line redrawn in place on a terminal, plain lines
 * otherwise (logs, pipes, CI). Log lines written while the line is shown clear it first and
 * redraw it after, so the two never garble each other.
 */
import type { Logger } from '../logger.ts';
import { formatHashrate } from '@otedama/core';
import type { MinerStatus, PrepareStatus } from './miner-lifecycle.ts';

export interface LiveLineStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export class LiveLine {
  private shown = '';

  constructor(
    private readonly stream: LiveLineStream,
    private readonly plain: (line: string) => void,
  ) {}

  get isTTY(): boolean {
    return !!this.stream.isTTY;
  }

  update(text: string): void {
    if (!this.stream.isTTY) return this.plain(text);
    const width = Math.max(20, (this.stream.columns ?? 120) - 1);
    this.shown = text.length > width ? text.slice(0, width - 1) + '…' : text;
    this.stream.write(`\r\x1b[2K${this.shown}`);
  }

  /** Runs `write` (a log line) with the live line out of the way. */
  around(write: () => void): void {
    if (!this.stream.isTTY || !this.shown) return write();
    this.stream.write('\r\x1b[2K');
    write();
    this.stream.write(this.shown);
  }

  /** Leaves the last line on screen and moves to a new one. */
  done(): void {
    if (this.stream.isTTY && this.shown) this.stream.write('\n');
    this.shown = '';
  }
}

/** A logger that keeps out of the live line's way. */
export function loggerAroundLiveLine(logger: Logger, line: LiveLine): Logger {
  return {
    debug: (m, f) => line.around(() => logger.debug(m, f)),
    info: (m, f) => line.around(() => logger.info(m, f)),
    warn: (m, f) => line.around(() => logger.warn(m, f)),
    error: (m, f) => line.around(() => logger.error(m, f)),
    forComponent: (name) => loggerAroundLiveLine(logger.forComponent(name), line),
  };
}

/** "12.31 MH/s [cpu 4.10 MH/s x2, gpu0 8.21 MH/s] | shares 3/0 (accepted/rejected) | diff 0.001 | stratum+tcp://... ready". */
export function formatStatusLine(s: MinerStatus): string {
  const devices = s.hashrate.devices
    .map((d) => `${d.name} ${formatHashrate(d.hashesPerSecond)}${d.threads ? ` x${d.threads}` : ''}${d.error ? ' (failed)' : ''}`)
    .join(', ');
  const diff = s.job ? String(Number(s.job.difficulty.toPrecision(6))) : '-';
  const state = s.paused ? 'paused' : s.pool.state === 'ready' ? (s.job ? 'mining' : 'waiting for a job') : s.pool.state;
  const extra = [s.shares.stale ? `${s.shares.stale} stale` : '', s.shares.lost ? `${s.shares.lost} lost` : '', s.shares.blocks ? `${s.shares.blocks} blocks` : '']
    .filter(Boolean)
    .join(', ');
  const building = (s.preparing ?? []).map(formatPreparing).join(', ');
  return (
    `${formatHashrate(s.hashrate.total)} [${devices}] | shares ${s.shares.accepted} accepted, ${s.shares.rejected} rejected${extra ? `, ${extra}` : ''}` +
    ` | diff ${diff}${building ? ` | ${building}` : ''} | ${s.pool.pool} ${state}`
  );
}

/** "DAG epoch 598 on gpu0 43.5% (1m20s left)". */
export function formatPreparing(p: PrepareStatus): string {
  const left = p.etaSeconds === null ? '' : ` (${formatSeconds(p.etaSeconds)} left)`;
  return `${p.what} epoch ${p.epoch} ${p.what === 'DAG' ? `on ${p.device} ` : ''}${p.percent}%${left}`;
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

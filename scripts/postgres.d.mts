/** Types of scripts/postgres.mjs (a throwaway PostgreSQL for tests). */
export interface ProvidedPostgres {
  /** postgres://user@127.0.0.1:port/database */
  readonly url: string;
  /** The cluster's folder when this call started one. */
  readonly dir: string | undefined;
  /** Whether stop() stops a server this call started. */
  readonly started: boolean;
  stop(): void;
}
export function isReachable(url: string, timeoutMs?: number): Promise<boolean>;
export function findBinaries(): string | undefined;
export function startCluster(options?: { log?: (msg: string) => void }): Promise<{ url: string; dir: string; stop(): void }>;
export function stopCluster(dir: string, binDir?: string): void;
export function providePostgres(options?: { env?: Record<string, string | undefined>; log?: (msg: string) => void }): Promise<ProvidedPostgres>;

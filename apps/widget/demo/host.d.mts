/** Types of host.mjs (the demo host site) for the TypeScript e2e tests. */
export function strictCsp(poolOrigin: string): string;
export function startDemoHost(options: { pool: string; address: string; port?: number; dirs?: string[] }): Promise<{ url: string; close(): Promise<void> }>;

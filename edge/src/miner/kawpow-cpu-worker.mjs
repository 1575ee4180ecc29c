// worker_threads entry for one KawPow CPU hashing thread: TypeScript loader first, then the body.
await import('../../bin/register.mjs');
await import('./kawpow-cpu-worker.ts');

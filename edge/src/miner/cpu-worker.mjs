// worker_threads entry for one CPU hashing thread: TypeScript loader first, then the worker body.
await import('../../bin/register.mjs');
await import('./cpu-worker.ts');

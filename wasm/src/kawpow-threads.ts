/**
 * Node: starts a KawPow worker on worker_threads. The worker entry is TypeScript loaded by
 * Node's type stripping (on by default from Node 22.18; older 22.x get the flag).
 */
import { Worker } from 'node:worker_threads';
import type { KawpowThread, StartKawpowThread } from './kawpow-worker-protocol.ts';

const ENTRY = new URL('./kawpow-worker.ts', import.meta.url);

export const startKawpowThread: StartKawpowThread = (request, onReply, onError) => {
  const features = process.features as { typescript?: string | false };
  const worker = new Worker(ENTRY, { name: `otedama-kawpow-${request.type}`, ...(features.typescript ? {} : { execArgv: ['--experimental-strip-types'] }) });
  worker.on('message', onReply);
  worker.on('error', onError);
  worker.on('exit', (code) => {
    if (code !== 0) onError(new Error(`the worker thread exited with code ${code}`));
  });
  worker.postMessage(request);
  const thread: KawpowThread = {
    terminate() {
      worker.removeAllListeners('exit');
      void worker.terminate();
    },
  };
  return thread;
};

/** Browsers: starts a KawPow worker as a module Web Worker (Vite bundles kawpow-worker.browser.ts). */
import type { KawpowThread, StartKawpowThread } from './kawpow-worker-protocol.ts';

interface WebWorker {
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: { message?: string }) => void) | null;
  postMessage(message: unknown): void;
  terminate(): void;
}

export const startKawpowThread: StartKawpowThread = (request, onReply, onError) => {
  const WorkerClass = (globalThis as unknown as { Worker?: new (url: URL, options: object) => WebWorker }).Worker;
  if (!WorkerClass) throw new Error('this context cannot start Web Workers');
  const worker = new WorkerClass(new URL('./kawpow-worker.browser.ts', import.meta.url), { type: 'module', name: `otedama-kawpow-${request.type}` });
  worker.onmessage = (e) => onReply(e.data as Parameters<typeof onReply>[0]);
  worker.onerror = (e) => onError(new Error(`the Web Worker failed: ${e.message || 'could not start it'}`));
  worker.postMessage(request);
  const thread: KawpowThread = { terminate: () => worker.terminate() };
  return thread;
};

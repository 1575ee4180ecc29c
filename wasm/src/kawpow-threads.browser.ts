/** Browsers: starts a KawPow worker as a module Web Worker (Vite bundles kawpow-worker.browser.ts). */
import type { KawpowThread, StartKawpowThread } from './kawpow-worker-protocol.ts';

interface WebWorker {
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: { message?: string }) => void) | null;
  postMessage(message: unknown): void;
  terminate(): void;
}

/** The browser's Worker (this workspace builds without the DOM library). */
declare const Worker: (new (url: URL, options: object) => WebWorker) | undefined;

export const startKawpowThread: StartKawpowThread = (request, onReply, onError) => {
  if (typeof Worker === 'undefined') throw new Error('this context cannot start Web Workers');
  // Literally `new Worker(new URL(...))`: the form Vite bundles as a worker of its own (any other
  // form left the TypeScript source inlined as a data: URL in a built app, which no browser runs).
  const worker = new Worker(new URL('./kawpow-worker.browser.ts', import.meta.url), { type: 'module', name: `otedama-kawpow-${request.type}` });
  worker.onmessage = (e) => onReply(e.data as Parameters<typeof onReply>[0]);
  worker.onerror = (e) => onError(new Error(`the Web Worker failed: ${e.message || 'could not start it'}`));
  worker.postMessage(request);
  const thread: KawpowThread = { terminate: () => worker.terminate() };
  return thread;
};

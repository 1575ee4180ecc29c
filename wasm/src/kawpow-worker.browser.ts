/** Web Worker entry of a KawPow worker (started by kawpow-threads.browser.ts). */
import { runKawpowWorkerRequest } from './kawpow-worker-body.ts';
import type { KawpowWorkerRequest } from './kawpow-worker-protocol.ts';

/** The slice of DedicatedWorkerGlobalScope used here (this package type-checks without the DOM). */
const scope = globalThis as unknown as {
  onmessage: ((e: { data: KawpowWorkerRequest }) => void) | null;
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
};

scope.onmessage = (e) => {
  scope.onmessage = null; // one request per worker
  runKawpowWorkerRequest(e.data, (reply, transfer) => scope.postMessage(reply, transfer ?? []));
};

/**
 * Node worker_threads entry of a KawPow worker (started by kawpow-threads.ts). Loaded by Node's
 * own type stripping: only type imports and dependency-free modules.
 */
import { parentPort } from 'node:worker_threads';
import { runKawpowWorkerRequest } from './kawpow-worker-body.ts';
import type { KawpowWorkerRequest } from './kawpow-worker-protocol.ts';

const port = parentPort!;
port.once('message', (request: KawpowWorkerRequest) => {
  runKawpowWorkerRequest(request, (reply, transfer) => port.postMessage(reply, transfer ?? []));
});

/**
 * The type of `#kawpow-threads` for every type checker: the Node implementation
 * (kawpow-threads.ts, worker_threads) and the browser one (kawpow-threads.browser.ts, Web
 * Workers) each need their platform's types, their callers none.
 */
import type { StartKawpowThread } from './kawpow-worker-protocol.ts';

export declare const startKawpowThread: StartKawpowThread;

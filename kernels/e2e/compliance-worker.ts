/**
 * Dedicated worker side of compliance.html?context=worker: receives the page's query string,
 * runs its suite here (navigator.gpu of the worker) and posts each event back.
 */
import { runSuite, type ComplianceEvent } from './compliance-runner.ts';

/** The slice of DedicatedWorkerGlobalScope used here (the page's tsconfig has DOM types). */
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<string>) => void) | null;
  postMessage(event: ComplianceEvent): void;
};

scope.onmessage = (e) => {
  scope.onmessage = null; // one run per worker
  void runSuite(e.data, (event) => scope.postMessage(event));
};

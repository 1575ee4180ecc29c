/**
 * Dedicated worker side of compliance.html?context=worker: receives the page's settings,
 * runs the suite here (navigator.gpu of the worker) and posts each event back.
 */
import { runCompliance, type ComplianceEvent, type ComplianceSettings } from './compliance-runner.ts';

/** The slice of DedicatedWorkerGlobalScope used here (the page's tsconfig has DOM types). */
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<ComplianceSettings>) => void) | null;
  postMessage(event: ComplianceEvent): void;
};

scope.onmessage = (e) => {
  scope.onmessage = null; // one run per worker
  void runCompliance(e.data, (event) => scope.postMessage(event));
};

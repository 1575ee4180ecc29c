/**
 * compliance.html: runs an engine suite (the shared SHA-256d suite, or with suite=kawpow the
 * KawPow GPU cases and core's shared KawPow suite) in this page or in a dedicated worker and
 * publishes progress as window.__results for Playwright (sha256d.spec.ts, kawpow.spec.ts).
 */
import { runSuite, settingsFromQuery, type CaseReport, type ComplianceEvent } from './compliance-runner.ts';

export interface ComplianceResults {
  status: 'running' | 'done' | 'failed';
  engine: string;
  context: 'page' | 'worker';
  description?: string;
  error?: string;
  cases: CaseReport[];
}

declare global {
  interface Window {
    __results?: ComplianceResults;
  }
}

const query = new URLSearchParams(location.search);
const suite = query.get('suite') === 'kawpow' ? 'kawpow' : 'sha256d';
const engine = suite === 'kawpow' ? 'webgpu' : settingsFromQuery(location.search).engine;
const context = query.get('context') === 'worker' ? 'worker' : 'page';
const results: ComplianceResults = { status: 'running', engine: suite === 'kawpow' ? 'kawpow webgpu' : engine, context, cases: [] };
document.title = `Otedama ${suite === 'kawpow' ? 'KawPow' : 'SHA-256d'} engine compliance`;
window.__results = results;

const statusEl = document.getElementById('status')!;
const casesEl = document.getElementById('cases') as HTMLTableSectionElement;

function render(): void {
  const passed = results.cases.filter((c) => c.ok).length;
  statusEl.textContent =
    `${results.engine} in a ${results.context}${results.description ? ` on ${results.description}` : ''}: ` +
    `${results.status}, ${passed}/${results.cases.length} passed${results.error ? ` (${results.error})` : ''}`;
}

function onEvent(event: ComplianceEvent): void {
  switch (event.type) {
    case 'engine':
      results.description = event.description;
      break;
    case 'case': {
      results.cases.push(event.report);
      const row = casesEl.insertRow();
      row.insertCell().textContent = event.report.ok ? 'pass' : 'FAIL';
      row.insertCell().textContent = event.report.name;
      row.insertCell().textContent = `${event.report.ms.toFixed(0)} ms`;
      row.insertCell().textContent = event.report.error ?? '';
      row.className = event.report.ok ? 'pass' : 'fail';
      break;
    }
    case 'done':
      results.status = 'done';
      break;
    case 'failed':
      results.status = 'failed';
      results.error = event.error;
      break;
  }
  render();
}

render();
if (context === 'worker') {
  const worker = new Worker(new URL('./compliance-worker.ts', import.meta.url), { type: 'module', name: 'otedama-compliance' });
  worker.onmessage = (e: MessageEvent<ComplianceEvent>) => {
    onEvent(e.data);
    if (e.data.type === 'done' || e.data.type === 'failed') worker.terminate();
  };
  worker.onerror = (e) => onEvent({ type: 'failed', error: `worker error: ${e.message || 'could not start the worker'}` });
  worker.postMessage(location.search);
} else {
  void runSuite(location.search, onEvent);
}

/**
 * kawpow.html: core's shared KawPow compliance suite on a WASM engine in this page, published as
 * window.__kawpow for Playwright (wasm/e2e/kawpow.spec.ts) and as a table.
 */
import { kawpowComplianceCases } from '../../core/test/kawpow-compliance.ts';
import { wasmKawpowSubject } from '../test/kawpow-subject.ts';
import { hasherOptions, KAWPOW_PAGE_ENGINES, KAWPOW_PAGE_OPTIONS, type KawpowPageEngine } from './kawpow-settings.ts';

export interface KawpowCaseReport {
  readonly name: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly error?: string;
}

export interface KawpowPageResults {
  status: 'running' | 'done' | 'failed';
  engine: string;
  error?: string;
  cases: KawpowCaseReport[];
}

declare global {
  interface Window {
    __kawpow?: KawpowPageResults;
  }
}

const requested = new URLSearchParams(location.search).get('engine') ?? 'wasm-simd';
const results: KawpowPageResults = { status: 'running', engine: requested, cases: [] };
window.__kawpow = results;
const statusEl = document.getElementById('status')!;
const casesEl = document.getElementById('cases') as HTMLTableSectionElement;

function render(): void {
  const passed = results.cases.filter((c) => c.ok).length;
  statusEl.textContent = `${results.engine}: ${results.status}, ${passed}/${results.cases.length} passed${results.error ? ` (${results.error})` : ''}`;
}

function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

async function main(): Promise<void> {
  if (!(KAWPOW_PAGE_ENGINES as readonly string[]).includes(requested)) throw new Error(`unknown engine "${requested}"`);
  const engine = requested as KawpowPageEngine;
  const { subject, dispose } = wasmKawpowSubject(engine, hasherOptions(engine));
  try {
    for (const c of kawpowComplianceCases(subject, KAWPOW_PAGE_OPTIONS)) {
      const t0 = performance.now();
      let report: KawpowCaseReport;
      try {
        await c.run();
        report = { name: c.name, ok: true, ms: performance.now() - t0 };
      } catch (err) {
        report = { name: c.name, ok: false, ms: performance.now() - t0, error: describeError(err) };
      }
      results.cases.push(report);
      const row = casesEl.insertRow();
      row.insertCell().textContent = report.ok ? 'pass' : 'FAIL';
      row.insertCell().textContent = report.name;
      row.insertCell().textContent = `${report.ms.toFixed(0)} ms`;
      row.insertCell().textContent = report.error ?? '';
      row.className = report.ok ? 'pass' : 'fail';
      render();
    }
  } finally {
    dispose();
  }
}

render();
main()
  .then(() => {
    results.status = 'done';
  })
  .catch((err: unknown) => {
    results.status = 'failed';
    results.error = describeError(err);
  })
  .finally(render);

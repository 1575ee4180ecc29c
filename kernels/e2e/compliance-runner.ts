/**
 * Runs core's shared SHA-256d compliance suite against one harness engine and reports each
 * case as it finishes. The page and the dedicated worker run this same function, so what is
 * tested in a worker is exactly what is tested in the page.
 */
import { sha256dComplianceCases } from '../../core/test/sha256d-compliance.ts';
import { isHarnessEngine, openHarnessEngine } from './harness-engines.ts';
import { settingsFromQuery, type ComplianceSettings } from './compliance-settings.ts';

export { settingsFromQuery, type ComplianceSettings } from './compliance-settings.ts';

export interface CaseReport {
  readonly name: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly error?: string;
}

/** Progress messages, in order: 'engine' once, 'case' per case, then 'done' or 'failed'. */
export type ComplianceEvent =
  | { readonly type: 'engine'; readonly description: string }
  | { readonly type: 'case'; readonly report: CaseReport }
  | { readonly type: 'done' }
  | { readonly type: 'failed'; readonly error: string };

export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

export async function runCompliance(settings: ComplianceSettings, emit: (event: ComplianceEvent) => void): Promise<void> {
  try {
    if (!isHarnessEngine(settings.engine)) throw new Error(`unknown engine "${settings.engine}"`);
    const webgpu = {
      ...(settings.noncesPerInvocation === undefined ? {} : { noncesPerInvocation: settings.noncesPerInvocation }),
      ...(settings.workgroupSize === undefined ? {} : { workgroupSize: settings.workgroupSize }),
      ...(settings.dispatchNonces === undefined ? {} : { dispatchNonces: settings.dispatchNonces }),
    };
    const opened = await openHarnessEngine(settings.engine, webgpu);
    emit({ type: 'engine', description: opened.description });
    try {
      const cases = sha256dComplianceCases({ rangeSize: settings.rangeSize, randomHeaders: settings.randomHeaders });
      await runCases(cases.map((c) => ({ name: c.name, run: () => c.run(opened.engine) })), emit);
    } finally {
      opened.close();
    }
    emit({ type: 'done' });
  } catch (err) {
    emit({ type: 'failed', error: describeError(err) });
  }
}

/** Runs named cases one after another, reporting each (a failing case does not stop the rest). */
export async function runCases(cases: readonly { readonly name: string; run(): Promise<void> }[], emit: (event: ComplianceEvent) => void, prefix = ''): Promise<void> {
  for (const c of cases) {
    const t0 = performance.now();
    try {
      await c.run();
      emit({ type: 'case', report: { name: prefix + c.name, ok: true, ms: performance.now() - t0 } });
    } catch (err) {
      emit({ type: 'case', report: { name: prefix + c.name, ok: false, ms: performance.now() - t0, error: describeError(err) } });
    }
  }
}

/**
 * Runs the suite a page's query string names: `suite=kawpow` the KawPow cases (loaded on
 * demand: they need the wasm/ workspace), anything else the SHA-256d suite.
 */
export async function runSuite(search: string, emit: (event: ComplianceEvent) => void): Promise<void> {
  if (new URLSearchParams(search).get('suite') === 'kawpow') {
    try {
      const { runKawpowCompliance } = await import('./kawpow-runner.ts');
      await runKawpowCompliance(search, emit);
    } catch (err) {
      emit({ type: 'failed', error: describeError(err) });
    }
    return;
  }
  await runCompliance(settingsFromQuery(search), emit);
}

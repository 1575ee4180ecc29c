/**
 * Runs core's shared SHA-256d compliance suite against one harness engine and reports each
 * case as it finishes. The page and the dedicated worker run this same function, so what is
 * tested in a worker is exactly what is tested in the page.
 */
import { sha256dComplianceCases } from '../../core/test/sha256d-compliance.ts';
import { isHarnessEngine, openHarnessEngine } from './harness-engines.ts';
import type { ComplianceSettings } from './compliance-settings.ts';

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

function describeError(err: unknown): string {
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
      for (const c of cases) {
        const t0 = performance.now();
        try {
          await c.run(opened.engine);
          emit({ type: 'case', report: { name: c.name, ok: true, ms: performance.now() - t0 } });
        } catch (err) {
          emit({ type: 'case', report: { name: c.name, ok: false, ms: performance.now() - t0, error: describeError(err) } });
        }
      }
    } finally {
      opened.close();
    }
    emit({ type: 'done' });
  } catch (err) {
    emit({ type: 'failed', error: describeError(err) });
  }
}

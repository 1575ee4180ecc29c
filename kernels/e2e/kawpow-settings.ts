/**
 * Settings of a KawPow harness run, from the page's query string, and the names of what it
 * runs. Free of engine imports (no WGSL, no WASM) so that the Playwright spec, in Node, can
 * derive the expected case names.
 */
import { kawpowComplianceCases, type KawpowComplianceOptions, type KawpowComplianceSubject } from '../../core/test/kawpow-compliance.ts';
import { optionalInt } from './compliance-settings.ts';

export interface KawpowSettings {
  /** Dataset of the reduced-dataset checks, in 1024-bit items (default 8191, about 1 MiB; a prime like real epochs). */
  readonly datasetItems: number;
  /** Nonces checked hash by hash at each height (default 12). */
  readonly noncesPerHeight: number;
  /** Run the shared suite's cases that need an epoch's full DAG (1+ GiB; a real GPU). */
  readonly realEpochs: boolean;
  readonly hashesPerGroup?: number;
  readonly l1InWorkgroup?: boolean;
  readonly dispatchHashes?: number;
}

export const DEFAULT_KAWPOW_DATASET_ITEMS = 8191;
export const DEFAULT_NONCES_PER_HEIGHT = 12;

/** Options of the shared suite for the GPU: no light-cache checksums (the GPU takes the WASM engine's light caches). */
export const GPU_SHARED_SUITE_OPTIONS: KawpowComplianceOptions = { checksumEpochs: [] };

/** The names of the GPU engine's own cases (kawpow-cases.ts), in order. */
export const KAWPOW_CASE_NAMES = {
  dagItems: 'DAG items equal the WASM engine\'s dataset items (L1 cache, binding borders, last items)',
  oneBinding: 'one binding: mix and final hashes equal the WASM engine\'s, heights in four periods',
  split: 'DAG split across bindings: mix and final hashes equal the WASM engine\'s, the epoch\'s first and last periods',
  targetFilter: 'the target filter keeps exactly the hashes at or below the target (a hash equal to the target hits)',
  overflow: 'more hits than hit slots: the lowest maxHits nonces, ascending, truncated',
  badInput: 'bad input is rejected with typed errors: header hash length, targets, nonce ranges beyond u64, heights, epochs without a DAG',
  badDag: 'bad DAG input is rejected, and a cancelled DAG build destroys every buffer it made',
} as const;

/** Shared-suite cases that hash at an epoch's full size: they need the real DAG (realEpochs). */
export function needsFullDataset(name: string): boolean {
  return /^published vector|^verify: a mix hash that does not match|^reduced dataset/.test(name);
}

/** The shared suite's case names for the GPU subject (primitives, epochs, hasher), as the page reports them. */
export function sharedCaseNames(realEpochs: boolean): string[] {
  const stub = {} as never;
  const subject: KawpowComplianceSubject = { name: 'names', primitives: stub, epochs: stub, hasher: stub };
  return kawpowComplianceCases(subject, GPU_SHARED_SUITE_OPTIONS)
    .map((c) => c.name)
    .filter((name) => realEpochs || !needsFullDataset(name));
}

/** Prefix of the shared suite's cases in a page's report. */
export const SHARED_PREFIX = 'shared: ';

/** Every case name a KawPow page reports, in order. */
export function kawpowReportNames(realEpochs: boolean): string[] {
  return [...Object.values(KAWPOW_CASE_NAMES), ...sharedCaseNames(realEpochs).map((n) => SHARED_PREFIX + n)];
}

export function kawpowSettingsFromQuery(search: string): KawpowSettings {
  const params = new URLSearchParams(search);
  const hashesPerGroup = optionalInt(params, 'hpg');
  const dispatchHashes = optionalInt(params, 'dispatch');
  const l1 = params.get('l1');
  return {
    datasetItems: optionalInt(params, 'datasetItems') ?? DEFAULT_KAWPOW_DATASET_ITEMS,
    noncesPerHeight: optionalInt(params, 'nonces') ?? DEFAULT_NONCES_PER_HEIGHT,
    realEpochs: params.get('realEpochs') === '1',
    ...(hashesPerGroup === undefined ? {} : { hashesPerGroup }),
    ...(dispatchHashes === undefined ? {} : { dispatchHashes }),
    ...(l1 === null ? {} : { l1InWorkgroup: l1 === 'workgroup' }),
  };
}

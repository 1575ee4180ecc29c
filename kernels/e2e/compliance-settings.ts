/**
 * Settings of a compliance run, from the page's query string. Kept free of engine imports so
 * that the Playwright spec (in Node) can read the defaults and derive the case names.
 */
/** What a page asks for (parsed from its query string; also posted to the worker). */
export interface ComplianceSettings {
  readonly engine: string;
  /** Nonces per differential range of the suite. */
  readonly rangeSize: number;
  /** Random headers in the differential case. */
  readonly randomHeaders: number;
  readonly noncesPerInvocation?: number;
  readonly workgroupSize?: number;
  readonly dispatchNonces?: number;
}

/** Defaults small enough for SwiftShader (~0.5 MH/s) while still crossing dispatches. */
export const DEFAULT_RANGE_SIZE = 2048;
export const DEFAULT_RANDOM_HEADERS = 3;

/** An integer query parameter, or undefined when absent. */
export function optionalInt(params: URLSearchParams, key: string): number | undefined {
  const v = params.get(key);
  return v === null ? undefined : Number(v);
}

export function settingsFromQuery(search: string): ComplianceSettings {
  const params = new URLSearchParams(search);
  const settings: ComplianceSettings = {
    engine: params.get('engine') ?? 'webgpu',
    rangeSize: optionalInt(params, 'rangeSize') ?? DEFAULT_RANGE_SIZE,
    randomHeaders: optionalInt(params, 'randomHeaders') ?? DEFAULT_RANDOM_HEADERS,
  };
  const npi = optionalInt(params, 'npi');
  const wg = optionalInt(params, 'wg');
  const dispatch = optionalInt(params, 'dispatch');
  return {
    ...settings,
    ...(npi === undefined ? {} : { noncesPerInvocation: npi }),
    ...(wg === undefined ? {} : { workgroupSize: wg }),
    ...(dispatch === undefined ? {} : { dispatchNonces: dispatch }),
  };
}


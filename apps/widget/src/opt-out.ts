/**
 * "No thanks", remembered per site: a key per host origin in the frame's localStorage (which
 * browsers also partition by the top-level site). Where storage is blocked, the answer lasts as
 * long as the page: the widget then asks again on the next visit, and still never mines without
 * a click.
 */

/** Storage key of the opt-out for `site` (an origin; undefined: the site could not be told). */
export function declineKey(site: string | undefined): string {
  return `otedama-widget:declined:${site ?? 'unknown'}`;
}

const fallback = new Set<string>();

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // blocked (third-party storage off): an exception on access
  }
}

export function isDeclined(site: string | undefined, store: Storage | undefined = storage()): boolean {
  const key = declineKey(site);
  try {
    if (store?.getItem(key)) return true;
  } catch {
    // unreadable storage: fall through to this page's memory
  }
  return fallback.has(key);
}

export function rememberDecline(site: string | undefined, store: Storage | undefined = storage(), now: number = Date.now()): void {
  const key = declineKey(site);
  fallback.add(key);
  try {
    store?.setItem(key, new Date(now).toISOString());
  } catch {
    // full or blocked: remembered for this page only
  }
}

export function forgetDecline(site: string | undefined, store: Storage | undefined = storage()): void {
  const key = declineKey(site);
  fallback.delete(key);
  try {
    store?.removeItem(key);
  } catch {
    // nothing stored
  }
}

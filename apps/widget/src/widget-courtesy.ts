/**
 * The widget's share of the visitor's device, decided before the click (the question states it)
 * and applied after it: at most half the cores, the site's data-threads only below that. Kept
 * apart from the web app's settings module so the frame's pre-consent code stays small; a unit
 * test holds it equal to apps/web's defaultThreads (the web app's "half the cores").
 */

/** Half the cores, at least one (apps/web settings.ts defaultThreads). */
export function halfTheCores(cores: number): number {
  return Math.max(1, Math.floor((Number.isFinite(cores) && cores > 0 ? cores : 2) / 2));
}

/** CPU threads the widget uses: the site's wish, never more than half the cores. */
export function widgetThreads(cores: number, siteThreads?: number): number {
  const half = halfTheCores(cores);
  return siteThreads === undefined ? half : Math.max(1, Math.min(siteThreads, half));
}

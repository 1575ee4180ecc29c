/**
 * How the rig starts Chromium: Debian's /usr/bin/chromium (or $OTEDAMA_CHROMIUM) driven by
 * playwright-core, never a downloaded browser. The switches are those of the project's
 * Playwright config (playwright.config.ts): headless, no background services; with --gpu, the
 * software WebGPU adapter (Mesa lavapipe through ANGLE, WebGPU compatibility mode).
 */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

const BASE_SWITCHES = ['--headless=new', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];
/** WebGPU on Mesa's lavapipe (Vulkan) through ANGLE, in compatibility mode. */
export const SOFTWARE_WEBGPU_SWITCHES = ['--use-angle=vulkan', '--use-webgpu-adapter=opengles', '--force-webgpu-compat'];

/** The Chromium binary: $OTEDAMA_CHROMIUM or Debian's. */
export function chromiumPath(env: Record<string, string | undefined> = process.env): string {
  return env.OTEDAMA_CHROMIUM || DEFAULT_CHROMIUM;
}

/** Command-line switches for a rig browser; `root`: Chromium's sandbox cannot run as root. */
export function chromiumSwitches(options: { gpu: boolean; root: boolean }): string[] {
  return [...BASE_SWITCHES, ...(options.root ? ['--no-sandbox'] : []), ...(options.gpu ? SOFTWARE_WEBGPU_SWITCHES : [])];
}

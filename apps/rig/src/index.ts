/**
 * @otedama/rig — headless Playwright rigs: an operator starts N Debian Chromium browsers on
 * machines they own, each mining in one page of the web app (apps/web) for one payout address,
 * restarted when they crash or stall. `otedama rig` (edge/src/commands/rig.ts) is the command.
 */
export { Rig, RESTART_BASE_MS, RESTART_CAP_MS, HEALTHY_RUN_MS, type RigOptions, type RigRow, type RigSnapshot, type RigEvent, type SlotState } from './rig.ts';
export { RigBrowser, readPageStats, STATS_EVENT, type PageStats, type MiningTarget } from './rig-browser.ts';
export { stallReason, START_DEADLINE_MS, SILENT_MS, STALL_MS } from './rig-health.ts';
export { formatTable, formatSummary, jsonLine, statsJson, summaryJson, eventText } from './rig-table.ts';
export { chromiumPath, chromiumSwitches, DEFAULT_CHROMIUM, SOFTWARE_WEBGPU_SWITCHES } from './chromium.ts';
export { RigOptionError, RigSetupError } from './errors.ts';

/**
 * @otedama/rig — headless Playwright rigs: N Chromium browsers mining for one payout address.
 * The workspace exists so the layout is complete; rigs are built in their own issue on top of
 * the web miner (apps/web).
 */
export const RIG_STATUS = 'planned' as const;

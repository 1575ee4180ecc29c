/**
 * @otedama/widget — one <script> tag or <iframe> that embeds a consent-first miner in any site.
 * The workspace exists so the layout is complete; the widget itself is built in its own issue
 * on top of the web miner's engines and pool connection (apps/web).
 */
export const WIDGET_STATUS = 'planned' as const;

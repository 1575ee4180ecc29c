/**
 * @otedama/widget — the consent-first miner any site can embed: one <script> tag (loader.ts) or
 * an <iframe> of the edge's frame page (frame.ts), which asks the visitor and mines with the web
 * app's miner runtime only after the visitor's click. This entry re-exports the pure parts (the
 * options, the host/frame protocol, the snippets) for the edge and the tests.
 */
/** The widget's version (this package's), published in /.well-known/otedama-widget.json. */
export const WIDGET_VERSION = '0.1.0';

export * from './protocol.ts';
export * from './widget-options.ts';
export * from './snippet.ts';
export { widgetThreads, halfTheCores } from './widget-courtesy.ts';
export { WidgetOptionError, ConsentError } from './errors.ts';

/**
 * The network namespace the browser-peer tests run in (scripts/p2p-netns.mjs sets
 * OTEDAMA_P2P_NETNS to its veth addresses): read by playwright.config.ts and the fixtures.
 */
export const NETNS_ADDRESSES: readonly string[] = (process.env.OTEDAMA_P2P_NETNS ?? '').split(',').filter(Boolean);
/** Each edge serves HTTP on this port of its address: a fixed port, so Chromium can be told the origin is secure. */
export const P2P_EDGE_HTTP_PORT = 8080;
/** The origins pages are opened on. */
export const P2P_ORIGINS: readonly string[] = NETNS_ADDRESSES.flatMap((a) => [0, 1, 2, 3].map((k) => `http://${a}:${P2P_EDGE_HTTP_PORT + k}`));

/**
 * The edge's peer protocols that browsers run too (apps/web/src/p2p/): the pool-id handshake,
 * the stream gate, gossip configuration and share gossip, the sync server, client and window
 * sync, their wiring on a libp2p node (peer-wiring.ts), the peer guard, and the verdicts of a
 * chain. A page is a peer of the same network, so it
 * speaks these through the same code, never a second implementation that could drift.
 *
 * Everything reachable from here stays platform-free: no node:*, no TCP, no DHT, no database
 * (peer-protocols.test.ts walks the imports). Exported to the web app as `@otedama/edge/peer`.
 */
export { PoolHandshake, HANDSHAKE_TIMEOUT_MS } from './pool-handshake.ts';
export { installStreamGate, UNGATED_PROTOCOLS } from './stream-gate.ts';
export { gossipOptions, poolGossipsub, SCORE_THRESHOLDS } from './gossip-config.ts';
export { ShareGossip } from './share-gossip.ts';
export { peerGateOptions, wirePeerProtocols, type PeerWiring, type PeerWiringOptions, type ScoredGossipSub } from './peer-wiring.ts';
export { SyncServer } from './sync-server.ts';
export { SyncClient, PeerSyncError } from './sync-client.ts';
export { WindowSync, type SyncProgress, type SyncState } from './window-sync.ts';
export { PeerGuard, BAN_SCORE, DEFAULT_RATE_LIMITS, PENALTY, type Ban, type Offence, type RateLimits } from './peer-guard.ts';
export { verdictOf } from './chain-host-sharechain.ts';
export { transportOf } from './transports.ts';
export { withCoalescedWrites } from './coalesced-writes.ts';
export type { ChainHost, ChainTip, ShareVerdict } from './chain-host.ts';
export { createLogger, type Logger, type LogLevel } from '../logger.ts';

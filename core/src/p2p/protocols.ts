/**
 * The names and limits of Otedama's peer-to-peer network, shared by edges and browsers: the
 * protocol ids, the gossip topics (scoped by pool id, so peers of different pools never mix),
 * the gossip message id, and the size limits every implementation enforces.
 */
import { P2pCodecError } from '../errors.ts';
import { bytesToHex } from '../hex.ts';
import { sha256 } from '../sha256.ts';

/** A pool id is a SHA-256 of the pool's consensus parameters (SHARECHAIN.md §2). */
export const POOL_ID_BYTES = 32;

/**
 * The pool-id handshake. Not scoped by pool id on purpose: a peer of another pool must be
 * able to say which pool it runs, so the refusal can name it.
 */
export const HANDSHAKE_PROTOCOL = '/otedama/handshake/1.0.0';
/** Kademlia DHT protocol: Otedama's own DHT, apart from the public IPFS one. */
export const KAD_DHT_PROTOCOL = '/otedama/kad/1.0.0';

/** Largest encoded share a peer accepts anywhere (a SHA-256d share is well under 1 KB). */
export const MAX_SHARE_BYTES = 4096;
/** Largest gossip payload: a share, or a template (header fields, merkle branch, signature). */
export const MAX_GOSSIP_DATA_BYTES = 4096;
/**
 * Largest gossipsub RPC frame (length prefix excluded): a batch of up to
 * MAX_GOSSIP_RPC_MESSAGES payloads of a share's size with their signatures, or the control
 * lists below. Four MiB is gossipsub's stock limit; a peer sending more is hostile.
 */
export const MAX_GOSSIP_FRAME_BYTES = 256 * 1024;
/** Messages in one gossipsub RPC, and message ids in one IHAVE/IWANT (34-byte ids: 34 KB). */
export const MAX_GOSSIP_RPC_MESSAGES = 128;
export const MAX_GOSSIP_CONTROL_IDS = 1000;

function poolHex(poolId: Uint8Array): string {
  if (poolId.length !== POOL_ID_BYTES) throw new P2pCodecError(`a pool id is ${POOL_ID_BYTES} bytes (got ${poolId.length})`);
  return bytesToHex(poolId);
}

/** The sync protocol (request/response over its own stream), one per pool. */
export function syncProtocol(poolId: Uint8Array): string {
  return `/otedama/${poolHex(poolId)}/sync/1.0.0`;
}

/** Gossip topic of the pool's shares. */
export function sharesTopic(poolId: Uint8Array): string {
  return `/otedama/${poolHex(poolId)}/shares/1`;
}

/** Gossip topic of the pool's block templates (signed by the edges that build them). */
export function templatesTopic(poolId: Uint8Array): string {
  return `/otedama/${poolHex(poolId)}/templates/1`;
}

/**
 * The gossipsub message id: SHA-256 of the payload. Content-addressed, so one share relayed by
 * many peers is one message (seen once, validated once), and every implementation computes the
 * same id for IHAVE/IWANT.
 */
export function gossipMessageId(data: Uint8Array): Uint8Array {
  return sha256(data);
}

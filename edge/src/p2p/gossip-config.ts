/**
 * Gossipsub as the pool uses it: strict signing, content-addressed message ids, only the pool's
 * topics, decode limits that fit its messages, and peer scoring in which an invalid share costs
 * the peer that delivered it.
 *
 * Scoring (gossipsub v1.1 parameters, shares topic): each invalid delivery adds to a counter that
 * the score charges as -100 x counter² (one invalid share: -100, below the gossip threshold;
 * two: -400; three: -900, below BAN_SCORE, and PeerGuard disconnects and bans). The counter
 * decays 1 %/s, so an honest peer that relayed one bad share by a bug is whole again in minutes.
 * Mesh delivery-rate penalties are off: shares come every ~10 s, a quiet honest peer is normal.
 * IP colocation is off: browsers behind one NAT are many honest peers on one address.
 */
import { gossipsub, type GossipsubOpts } from '@libp2p/gossipsub';
import {
  bytesToHex,
  gossipMessageId,
  MAX_GOSSIP_CONTROL_IDS,
  MAX_GOSSIP_FRAME_BYTES,
  MAX_GOSSIP_RPC_MESSAGES,
  sharesTopic,
  templatesTopic,
} from '@otedama/core';

/** Score thresholds: no gossip exchange below -100, no publishing to it below -200, its RPCs ignored below -400. */
export const SCORE_THRESHOLDS = { gossipThreshold: -100, publishThreshold: -200, graylistThreshold: -400, acceptPXThreshold: 100, opportunisticGraftThreshold: 5 };
/** Weight of one invalid delivery, squared by count (see above). */
const INVALID_DELIVERY_WEIGHT = -100;
/** Per-second decay of the invalid-delivery counter: half-life about 69 s. */
const INVALID_DELIVERY_DECAY = 0.99;

export function gossipOptions(poolId: Uint8Array): Partial<GossipsubOpts> {
  const shares = sharesTopic(poolId);
  return {
    globalSignaturePolicy: 'StrictSign',
    fallbackToFloodsub: false,
    // A network of one (no peers yet) still publishes without an error.
    allowPublishToZeroTopicPeers: true,
    emitSelf: false,
    // Peer exchange would hand our peers to anyone who asks; peers come from bootstrap and the DHT.
    doPX: false,
    msgIdFn: (msg) => gossipMessageId(msg.data),
    // A share comes from every mesh peer (a page with 8 browsers and 2 edges hears it up to 10
    // times); its id, known from the data alone, drops the copies before their signatures are
    // checked (an Ed25519 verification each, on a page's main thread). Only copies of a message
    // that passed its signature check are recognised this way (gossipsub caches the id after it).
    fastMsgIdFn: (msg) => (msg.data ? bytesToHex(gossipMessageId(msg.data)) : ''),
    allowedTopics: [shares, templatesTopic(poolId)],
    maxInboundDataLength: MAX_GOSSIP_FRAME_BYTES,
    decodeRpcLimits: {
      maxSubscriptions: 16,
      maxMessages: MAX_GOSSIP_RPC_MESSAGES,
      maxIhaveMessageIDs: MAX_GOSSIP_CONTROL_IDS,
      maxIwantMessageIDs: MAX_GOSSIP_CONTROL_IDS,
      maxIdontwantMessageIDs: MAX_GOSSIP_CONTROL_IDS,
      maxControlMessages: 16,
      maxPeerInfos: 16,
    },
    scoreParams: {
      topics: {
        [shares]: {
          topicWeight: 1,
          // A small bonus for staying in the mesh and for delivering shares first.
          timeInMeshWeight: 0.01,
          timeInMeshQuantum: 1000,
          timeInMeshCap: 600,
          firstMessageDeliveriesWeight: 1,
          firstMessageDeliveriesDecay: 0.9,
          firstMessageDeliveriesCap: 20,
          meshMessageDeliveriesWeight: 0,
          meshMessageDeliveriesDecay: 0.5,
          meshMessageDeliveriesCap: 1,
          meshMessageDeliveriesThreshold: 1,
          meshMessageDeliveriesWindow: 10,
          meshMessageDeliveriesActivation: 5000,
          meshFailurePenaltyWeight: 0,
          meshFailurePenaltyDecay: 0.5,
          invalidMessageDeliveriesWeight: INVALID_DELIVERY_WEIGHT,
          invalidMessageDeliveriesDecay: INVALID_DELIVERY_DECAY,
        },
      },
      IPColocationFactorWeight: 0,
      decayInterval: 1000,
      decayToZero: 0.01,
    },
    scoreThresholds: SCORE_THRESHOLDS,
  };
}

export function poolGossipsub(poolId: Uint8Array): ReturnType<typeof gossipsub> {
  return gossipsub(gossipOptions(poolId));
}

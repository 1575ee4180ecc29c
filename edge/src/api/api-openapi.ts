/** The OpenAPI 3.1 description of the pool's HTTP API (api.ts), served at /api/openapi.json. */

const windows = { m10: { type: 'number' }, h1: { type: 'number' }, h24: { type: 'number' } };
const hashrates = {
  type: 'object',
  description:
    'Hashes per second, estimated from accepted share difficulty over the time observed in each window (10 min, 1 h, 24 h): ' +
    'the whole window, or less when the pool, miner or worker started (or came back) within it; `seconds` says how long.',
  properties: { ...windows, seconds: { type: 'object', description: 'Seconds each figure is averaged over (30 at least).', properties: windows, required: ['m10', 'h1', 'h24'] } },
  required: ['m10', 'h1', 'h24', 'seconds'],
};
const sats = (description: string) => ({ type: 'integer', description: `${description} (satoshis)` });
const error = {
  description: 'Error',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
            required: ['code', 'message'],
          },
        },
        required: ['error'],
      },
    },
  },
};
const notYet = {
  ...error,
  description: 'unknown_miner: the address is valid but no share from it is on record yet ("no shares yet", not a failure)',
};
const ok = (schema: Record<string, unknown>) => ({ description: 'OK', content: { 'application/json': { schema } } });
const paging = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } },
  { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 1000000, default: 0 } },
];
const errors = { '400': error, '429': error };
const block = {
  type: 'object',
  properties: {
    hash: { type: 'string' }, height: { type: 'integer' }, time: { type: 'integer', description: 'ms since the epoch' },
    reward: sats('coinbase outputs paid'), status: { enum: ['pending', 'confirmed', 'orphaned'] },
    finder: { type: 'string' }, worker: { type: 'string' },
  },
};
const payout = {
  type: 'object',
  properties: {
    blockHash: { type: 'string' }, outputIndex: { type: 'integer' }, address: { type: 'string' }, value: sats('output value'),
    kind: { enum: ['pool', 'miner'], description: "pool: the edge operator's address (its fee credit)" },
    credit: sats("the address's exact share of the block by the sharechain: the value when paid directly, the lottery's expectation otherwise"),
    carriedPaid: sats('carried balance settled (blocks recorded before the sharechain; 0 since)'),
    height: { type: 'integer' }, time: { type: 'integer' }, status: { enum: ['pending', 'confirmed', 'orphaned'] },
  },
};
const minerSummary = {
  type: 'object',
  properties: {
    address: { type: 'string' }, workers: { type: 'integer' }, lastSeen: { type: 'integer' }, shares: { type: 'integer' },
    hashrate: hashrates,
  },
};

const standing = {
  type: ['object', 'null'],
  description:
    "The address's place in the sharechain's window at the best tip, and what it may expect from a block found now on the current " +
    'template: its exact share of the reward (the finder bonus folded in: every payee finds the block in proportion to its work), ' +
    'paid directly when at least the lottery threshold, else by the lottery with the given chance. null when the window does not credit it.',
  properties: {
    windowShares: { type: 'integer', description: 'shares in the window' },
    shares: { type: 'integer', description: 'shares of the window that credit the address' },
    fraction: { type: 'number', minimum: 0, maximum: 1, description: "the address's part of the window's credited work" },
    blockRewardSats: sats('coinbase value of the current template'),
    expectedSats: sats("expected payout of the next block: fraction x reward, by cumulative rounding (the next block's amounts sum to the reward)"),
    kind: { enum: ['direct', 'lottery'] },
    probability: { type: 'number', minimum: 0, maximum: 1, description: 'chance the coinbase pays it (1 when direct)' },
    thresholdSats: sats('the lottery threshold'),
  },
  required: ['windowShares', 'shares', 'fraction', 'blockRewardSats', 'expectedSats', 'kind', 'probability', 'thresholdSats'],
};

/** GET /api/miners/{address}: the summary's fields, but `workers` lists the workers (not their count). */
const minerDetail = {
  type: 'object',
  properties: {
    ...minerSummary.properties,
    firstSeen: { type: 'integer' },
    paid: sats('paid by found blocks'),
    workers: {
      type: 'array',
      items: { type: 'object', properties: { worker: { type: 'string' }, shares: { type: 'integer' }, difficulty: { type: 'number' }, firstSeen: { type: 'integer' }, lastSeen: { type: 'integer' }, hashrate: hashrates } },
    },
    payouts: { type: 'array', items: payout },
    sharechain: standing,
  },
  required: ['address', 'workers', 'shares', 'hashrate', 'paid', 'payouts', 'sharechain'],
};

const syncProgress = {
  type: 'object',
  description: 'The sharechain sync run: state, shares fetched and verified, expected shares, percent, ETA, the peer fetched from.',
  properties: {
    state: { enum: ['idle', 'syncing', 'synced', 'failed', 'cancelled'] },
    peer: { type: 'string' }, shares: { type: 'integer' }, expected: { type: 'integer' }, percent: { type: 'number' },
    etaSeconds: { type: 'integer' }, batches: { type: 'integer' }, startedAt: { type: 'integer' }, finishedAt: { type: 'integer' }, message: { type: 'string' },
  },
  required: ['state', 'shares', 'batches'],
};
const sharechain = {
  type: 'object',
  properties: {
    poolId: { type: 'string', description: 'SHA-256d of the pool parameters (hex): peers of another pool id are refused' },
    params: {
      type: ['string', 'null'],
      description: "the pool parameters (hex; their SHA-256d is poolId) while this edge serves browser peers (signed templates, introductions, relay reservations); null with p2p off: pages mine through /ws/stratum",
    },
    network: { enum: ['mainnet', 'testnet', 'regtest'], description: "the coin's address network" },
    templatesPublished: { type: 'integer', description: 'signed coin templates gossiped to browser peers since start' },
    peerId: { type: ['string', 'null'], description: "the libp2p node's peer id; null with p2p off" },
    listen: { type: 'array', items: { type: 'string' }, description: 'multiaddrs ending in /p2p/<peer id>, dialable as --bootstrap' },
    peers: { type: 'integer', description: 'connected peers' },
    admittedPeers: { type: 'integer', description: 'peers that proved the pool id' },
    bans: { type: 'integer', description: 'peers banned for misbehaving' },
    blocked: { type: 'integer', description: 'peers the operator keeps out (otedama node block, p2p.deny_peers)' },
    tip: { type: ['object', 'null'], properties: { id: { type: 'string' }, height: { type: 'integer' } } },
    windowShares: { type: 'integer', description: 'shares in the payout window at the tip' },
    heldShares: { type: 'integer', description: 'shares the chain holds (every branch, up to twice the window)' },
    sync: syncProgress,
    serving: { type: 'boolean', description: 'Stratum serves work (false while the first sync from the bootstrap peers runs)' },
    nextPayouts: {
      type: ['array', 'null'],
      description:
        'What the next block would pay: every address the window credits, with its expected payout (its part of the reward), ' +
        'paid directly or by lottery (probability). Ascending by output script, the coinbase order. null before the first share or template.',
      items: {
        type: 'object',
        properties: {
          address: { type: 'string' }, sats: sats('expected payout'), kind: { enum: ['direct', 'lottery'] },
          probability: { type: 'number', minimum: 0, maximum: 1 }, fraction: { type: 'number', minimum: 0, maximum: 1 },
        },
        required: ['address', 'sats', 'kind', 'probability', 'fraction'],
      },
    },
    nextBlock: {
      type: ['object', 'null'],
      properties: { rewardSats: sats('coinbase value of the current template'), thresholdSats: sats('the lottery threshold'), minPayoutSats: sats("the pool's minimum payout (a pool parameter)") },
    },
  },
  required: ['poolId', 'peerId', 'listen', 'peers', 'tip', 'windowShares', 'sync', 'serving', 'nextPayouts', 'nextBlock'],
};
const peer = {
  type: 'object',
  properties: {
    id: { type: 'string' }, addresses: { type: 'array', items: { type: 'string' } }, transports: { type: 'array', items: { enum: ['tcp', 'websockets', 'relay', 'webrtc'] } },
    direction: { enum: ['inbound', 'outbound'] }, latencyMs: { type: 'number' }, score: { type: 'number', description: 'gossipsub score minus penalties; banned at -500' },
    admitted: { type: 'boolean' },
  },
};

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'Otedama edge API',
    version: '1',
    description:
      'Pool statistics, miners, payouts and blocks of an Otedama edge. Rate-limited per IP address (429 with Retry-After). ' +
      'GET answers (errors included) carry Access-Control-Allow-Origin: * so pages of other origins can read them; no credentials.',
  },
  paths: {
    '/health': { get: { summary: 'Liveness, chain height and network, Stratum and database facts', responses: { '200': ok({ type: 'object' }) } } },
    '/metrics': { get: { summary: 'Prometheus metrics (text format 0.0.4)', responses: { '200': { description: 'OK', content: { 'text/plain': {} } } } } },
    '/api/pool/stats': {
      get: {
        summary: 'Pool hashrate, active miners, shares, blocks, paid total, fee and minimum payout',
        responses: {
          '200': ok({
            type: 'object',
            properties: {
              hashrate: hashrates, activeMiners: { type: 'integer' }, activeWorkers: { type: 'integer' }, sharesTotal: { type: 'integer', description: 'pseudo-shares accepted (hashrate statistics)' },
              sharesLast24h: { type: 'integer' }, blocksFound: { type: 'integer' }, lastBlock: block, paidTotal: sats('paid by found blocks to miners'),
              pool: { type: 'object', properties: { feeBp: { type: 'integer', description: "the operator's fee in basis points of every share its miners find" }, minPayoutSats: sats("the sharechain's minimum payout"), feeAddress: { type: 'string' }, payouts: { const: 'sharechain' }, network: { type: 'string' }, algorithm: { type: 'string', description: 'the algorithm the pool mines (sha256d, kawpow)' } } },
              chain: { type: 'object' }, stratum: { type: 'object' }, windowShares: { type: ['integer', 'null'], description: "shares in the sharechain's window" },
            },
          }),
          '429': error,
        },
      },
    },
    '/api/pool/miners': {
      get: { summary: 'Miners seen in the last 24 h, by 1-hour hashrate', parameters: paging, responses: { '200': ok({ type: 'object', properties: { limit: { type: 'integer' }, offset: { type: 'integer' }, miners: { type: 'array', items: minerSummary } } }), ...errors } },
    },
    '/api/miners/{address}': {
      get: {
        summary: "One miner: workers, hashrates (10 min / 1 h / 24 h), shares, paid total, payouts, and its credit and expected payout in the sharechain's window",
        parameters: [{ name: 'address', in: 'path', required: true, schema: { type: 'string' } }, ...paging],
        responses: {
          '200': ok(minerDetail),
          '404': notYet,
          ...errors,
        },
      },
    },
    '/api/pool/payouts': {
      get: { summary: 'Coinbase payouts of found blocks, newest first', parameters: [...paging, { name: 'address', in: 'query', schema: { type: 'string' } }], responses: { '200': ok({ type: 'object', properties: { payouts: { type: 'array', items: payout } } }), ...errors } },
    },
    '/api/blocks': {
      get: { summary: 'Found blocks, newest first', parameters: paging, responses: { '200': ok({ type: 'object', properties: { blocks: { type: 'array', items: block } } }), ...errors } },
    },
    '/api/admin/profile': {
      post: {
        summary: 'CPU-profile the edge for N seconds (loopback clients only); returns the .cpuprofile path',
        parameters: [{ name: 'seconds', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 600, default: 10 } }],
        responses: { '200': ok({ type: 'object', properties: { path: { type: 'string' }, seconds: { type: 'integer' } } }), '403': error, '409': error, ...errors },
      },
    },
    '/api/sharechain': { get: { summary: "The pool id, this node (peer id, listen addresses), peers, the sharechain's tip and window, sync progress, whether Stratum serves work, the next block's payouts", responses: { '200': ok(sharechain), '429': error } } },
    '/api/sharechain/peers': { get: { summary: 'Connected libp2p peers: id, addresses, transports, latency, score, admitted', responses: { '200': ok({ type: 'object', properties: { peers: { type: 'array', items: peer } } }), '429': error } } },
    '/api/sharechain/sync': {
      post: { summary: 'Re-sync the sharechain from the peers (loopback clients only); progress in GET /api/sharechain', responses: { '202': ok({ type: 'object', properties: { sync: syncProgress } }), '403': error, '409': error, '429': error } },
    },
    '/api/sharechain/sync/cancel': { post: { summary: 'Stop the sync under way (loopback clients only)', responses: { '200': ok({ type: 'object', properties: { sync: syncProgress } }), '403': error, '429': error } } },
    '/api/sharechain/bans': {
      get: {
        summary: "Peers kept out: bans for misbehaving (until untilMs) and the operator's blocks (untilMs null: until unblocked)",
        responses: { '200': ok({ type: 'object', properties: { bans: { type: 'array', items: { type: 'object', properties: { peer: { type: 'string' }, offence: { type: 'string' }, reason: { type: 'string' }, untilMs: { type: 'integer' } } } }, blocks: { type: 'array', items: { type: 'object', properties: { peer: { type: 'string' }, reason: { type: 'string' }, untilMs: { type: ['integer', 'null'] }, source: { enum: ['config', 'operator'] } } } } } }), '429': error },
      },
    },
    '/api/admin/peers/block': {
      post: {
        summary: 'Cut a peer off: close its connections and refuse it until unblocked or for `seconds` (loopback clients holding the admin token)',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['peer'], properties: { peer: { type: 'string', description: 'libp2p peer id' }, seconds: { type: 'integer', minimum: 1, maximum: 31_536_000 }, reason: { type: 'string', maxLength: 200 } } } } } },
        responses: { '200': ok({ type: 'object', properties: { peer: { type: 'string' }, reason: { type: 'string' }, untilMs: { type: ['integer', 'null'] }, disconnected: { type: 'boolean' } } }), '400': error, '401': error, '403': error, '409': error, '413': error, '429': error },
      },
    },
    '/api/admin/peers/unblock': {
      post: {
        summary: 'Let a blocked or banned peer back in (loopback clients holding the admin token)',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['peer'], properties: { peer: { type: 'string' } } } } } },
        responses: { '200': ok({ type: 'object', properties: { peer: { type: 'string' }, wasBlocked: { type: 'boolean' }, wasBanned: { type: 'boolean' } } }), '400': error, '401': error, '403': error, '409': error, '413': error, '429': error },
      },
    },
    '/api/openapi.json': { get: { summary: 'This document', responses: { '200': ok({ type: 'object' }) } } },
  },
} as const;

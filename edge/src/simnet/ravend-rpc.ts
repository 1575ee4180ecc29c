/**
 * How the Ravencoin simnet answers where ravend differs from bitcoind: the methods pool software
 * and KawPow miners call, with ravend 4.6.1's argument forms, result shapes and error strings
 * (RavenProject/Ravencoin 6d48ae01: src/rpc/mining.cpp, src/rpc/blockchain.cpp, src/rpc/misc.cpp,
 * src/rpc/net.cpp). The requests and answers are recorded in edge/test/fixtures/ravend/ with the
 * source lines each field comes from.
 *
 *   getblocktemplate  BIP22 fields as ravend sends them (no "segwit" client rule required,
 *                     coinbaseaux.flags, 8 MB size and weight limits), plus `pprpcheader` (the
 *                     KawPow header hash of ravend's own block paying -miningaddress) and
 *                     `pprpcepoch` when a mining address is configured, as ravend does
 *   pprpcsb           header hash, mix hash, nonce: completes that cached block and submits it
 *                     (what kawpowminer's getwork mode and solo GPU miners call)
 *   getkawpowhash     the KawPow hash of (header hash, mix hash, nonce, height[, target])
 *   submitblock       blocks with the 120-byte header; a header height beyond tip + 10 is
 *                     -22 "Block height is to large"
 *   getblock, getblockheader, getblockchaininfo, getmininginfo, getnetworkinfo, validateaddress,
 *   simnet_getbalance: ravend's JSON (headerhash, mixhash, nonce64; difficulty_algorithm;
 *                     validateaddress without a wallet: isvalid, address, scriptPubKey)
 */
import {
  InvalidAddressError,
  KAWPOW_MAX_NONCE,
  bip34HeightPush,
  bitsToTarget,
  bytesToHex,
  concatBytes,
  encodeVarInt,
  kawpowEpoch,
  kawpowHeaderHash,
  parseKawpowHeader,
  reverseBytes,
  scriptToAddress,
  serializeTx,
  sha256d,
  targetToDifficulty,
  targetToHex,
  txid,
  u32ToHex,
  validateAddress,
  withKawpowSolution,
  witnessCommitmentScript,
  witnessMerkleRoot,
  type ParsedBlock,
  type Transaction,
} from '@otedama/core';
import { RPC_DESERIALIZATION_ERROR, RPC_INVALID_ADDRESS_OR_KEY, RPC_INVALID_PARAMETER, RPC_MISC_ERROR, RpcFailure, type RpcMethod } from './json-rpc.ts';
import type { ChainBlock } from './simnet-chain.ts';
import type { SimnetRpcHelpers } from './simnet-rpc-server.ts';
import { scriptToAsm, solve, WITNESS_SCALE_FACTOR, amountJson } from './tx-json.ts';

/** The ravend release whose RPC the Ravencoin simnet speaks (configure.ac 4.6.1.0: CLIENT_VERSION). */
export const SPEAKS_RAVEND_VERSION = 4_06_01_00;
/** ravend's P2P protocol version (src/version.h PROTOCOL_VERSION). */
export const RAVEND_PROTOCOL_VERSION = 70028;
/** How long ravend hands out the same pprpcheader while the tip holds (mining.cpp: nTime - 30). */
export const PPRPC_TEMPLATE_REUSE_S = 30;
/** How far above the tip submitblock and getkawpowhash accept a height (mining.cpp: chainActive.Height() + 10). */
export const MAX_HEIGHT_ABOVE_TIP = 10;
/** Cached pprpc blocks per tip; ravend keeps every one until the next block, simnet bounds them. */
export const MAX_PPRPC_TEMPLATES = 64;
/** ravend's MAX_BLOCK_SIGOPS_COST and (assets live) MAX_BLOCK_SERIALIZED_SIZE_RIP2 / MAX_BLOCK_WEIGHT_RIP2. */
const SIGOP_LIMIT = 80_000;
const SIZE_LIMIT = 8_000_000;
const WEIGHT_LIMIT = 8_000_000;
/** DGW activates at block 200 on regtest (chainparams.cpp nDGWActivationBlock). */
const REGTEST_DGW_ACTIVATION = 200;
/** ravend's relay fees (validation.h DEFAULT_MIN_RELAY_TX_FEE 1,000,000 sat/kB; policy.h DEFAULT_INCREMENTAL_RELAY_FEE 1,000). */
const RELAY_FEE_RVN_PER_KB = 0.01;
const INCREMENTAL_FEE_RVN_PER_KB = 0.00001;
/** JSON-RPC's "Invalid params", which pprpcsb and getkawpowhash use for a bad nonce. */
const RPC_INVALID_PARAMS = -32602;

export interface RavendOptions {
  /** ravend's -miningaddress: templates then carry pprpcheader and pprpcsb completes them. */
  readonly miningAddress?: string;
}

/** One block ravend built for pprpc: its header (nonce and mix zero) and its coinbase. */
interface PprpcBlock {
  readonly header: Uint8Array;
  readonly coinbase: Transaction;
  readonly time: number;
}

/** ravend's ParseUInt64(str, base 16) as strtoull reads it: optional 0x, hex digits, at most 2^64-1. */
function parseHexNonce(text: unknown, message: string): bigint {
  if (typeof text !== 'string' || !/^(0[xX])?[0-9a-fA-F]{1,16}$/.test(text)) throw new RpcFailure(RPC_INVALID_PARAMS, message);
  const n = BigInt('0x' + text.replace(/^0[xX]/, ''));
  if (n > KAWPOW_MAX_NONCE) throw new RpcFailure(RPC_INVALID_PARAMS, message);
  return n;
}

/** uint256S: up to 64 hex digits (with or without 0x) read as a display-order hash; anything else reads as zero. */
function uint256Hex(text: unknown): string {
  if (typeof text !== 'string') throw new RpcFailure(RPC_MISC_ERROR, `JSON value is not a string as expected`);
  const digits = text.trim().replace(/^0[xX]/, '');
  const hex = /^[0-9a-fA-F]*/.exec(digits)![0].slice(0, 64).toLowerCase();
  return hex.padStart(64, '0');
}

/** ethash's to_hash256: the 32 bytes the hex spells, in order (ProgPoW's header hash). */
function hash256(text: unknown, name: string): Uint8Array {
  if (typeof text !== 'string' || !/^(0[xX])?[0-9a-fA-F]{64}$/.test(text)) throw new RpcFailure(RPC_INVALID_PARAMETER, `${name} must be 64 hex digits`);
  const hex = text.replace(/^0[xX]/, '');
  return Uint8Array.from({ length: 32 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

/** Ravencoin's TxToUniv (Bitcoin Core 0.16's): addresses as an array, reqSigs, no desc. */
function ravendTxJson(tx: Transaction): Record<string, unknown> {
  const full = serializeTx(tx);
  const stripped = serializeTx(tx, { witness: false });
  const weight = stripped.length * (WITNESS_SCALE_FACTOR - 1) + full.length;
  return {
    txid: bytesToHex(reverseBytes(txid(tx))),
    hash: bytesToHex(reverseBytes(sha256d(full))),
    version: tx.version,
    size: full.length,
    vsize: Math.ceil(weight / WITNESS_SCALE_FACTOR),
    locktime: tx.lockTime,
    vin: tx.inputs.map((i) => ({ coinbase: bytesToHex(i.script), ...(i.witness.length ? { txinwitness: i.witness.map(bytesToHex) } : {}), sequence: i.sequence })),
    vout: tx.outputs.map((o, n) => {
      const s = solve(o.script);
      const address = s.type === 'pubkeyhash' || s.type === 'scripthash' ? scriptToAddress(o.script, 'regtest', 'ravencoin') : undefined;
      return {
        value: amountJson(o.value),
        n,
        scriptPubKey: { asm: scriptToAsm(o.script), hex: bytesToHex(o.script), ...(address ? { reqSigs: 1 } : {}), type: s.type, ...(address ? { addresses: [address] } : {}) },
      };
    }),
    hex: bytesToHex(full),
  };
}

/** The ravend methods that replace or join the bitcoind ones on a Ravencoin simnet. */
export function ravendMethods(h: SimnetRpcHelpers, options: RavendOptions): Record<string, RpcMethod> {
  const chain = () => h.node.chain;
  let pprpc: { tip: string; blocks: Map<string, PprpcBlock>; last?: string } = { tip: '', blocks: new Map() };

  /** ravend's getblocktemplate tail: the pprpc block of the mining address (reused for 30 s). */
  function pprpcFields(height: number, time: number, value: bigint): { pprpcheader: string; pprpcepoch: number } | undefined {
    if (options.miningAddress === undefined) return undefined;
    let script: Uint8Array;
    try {
      script = validateAddress(options.miningAddress, 'regtest', { coin: 'ravencoin' }).script;
    } catch {
      throw new RpcFailure(RPC_INVALID_PARAMETER, '-miningaddress is not a valid address. Please use a valid address');
    }
    const tip = chain().tip();
    if (pprpc.tip !== tip.hashHex) pprpc = { tip: tip.hashHex, blocks: new Map() };
    const last = pprpc.last !== undefined ? pprpc.blocks.get(pprpc.last) : undefined;
    if (last && time - PPRPC_TEMPLATE_REUSE_S < last.time) return { pprpcheader: pprpc.last!, pprpcepoch: kawpowEpoch(height) };
    // CreateNewBlock's coinbase: height and OP_0 in the scriptSig, the reward to the mining
    // address, the witness commitment; the reserved value as UpdateUncommittedBlockStructures adds it.
    const reserved = new Uint8Array(32);
    const coinbase: Transaction = {
      version: 2,
      inputs: [{ prevTxid: new Uint8Array(32), prevIndex: 0xffffffff, script: concatBytes(bip34HeightPush(height), new Uint8Array([0x00])), sequence: 0xffffffff, witness: [reserved] }],
      outputs: [
        { value, script },
        { value: 0n, script: witnessCommitmentScript(witnessMerkleRoot([])) },
      ],
      lockTime: 0,
    };
    const header = chain().coin.algorithm.header.build({ version: chain().coin.blockVersion, prevHash: tip.hash, merkleRoot: txid(coinbase), time, bits: chain().bits, height });
    const headerHash = bytesToHex(kawpowHeaderHash(header.subarray(0, 80)));
    pprpc.blocks.set(headerHash, { header, coinbase, time });
    pprpc.last = headerHash;
    while (pprpc.blocks.size > MAX_PPRPC_TEMPLATES) pprpc.blocks.delete(pprpc.blocks.keys().next().value!);
    return { pprpcheader: headerHash, pprpcepoch: kawpowEpoch(height) };
  }

  function templateResult(): Record<string, unknown> {
    const c = chain();
    const tip = c.tip();
    const mintime = tip.medianTime + 1;
    const curtime = Math.max(h.node.now(), mintime);
    const height = tip.height + 1;
    return {
      capabilities: ['proposal'],
      version: c.coin.blockVersion,
      rules: [],
      vbavailable: {},
      vbrequired: 0,
      previousblockhash: tip.hashHex,
      transactions: [],
      coinbaseaux: { flags: '' },
      coinbasevalue: Number(c.rewardSats),
      longpollid: h.longPollId(),
      target: targetToHex(c.target),
      mintime,
      mutable: ['time', 'transactions', 'prevblock'],
      noncerange: '00000000ffffffff',
      sigoplimit: SIGOP_LIMIT,
      sizelimit: SIZE_LIMIT,
      weightlimit: WEIGHT_LIMIT,
      curtime,
      bits: u32ToHex(c.bits),
      height,
      default_witness_commitment: bytesToHex(witnessCommitmentScript(witnessMerkleRoot([]))),
      ...pprpcFields(height, curtime, c.rewardSats),
    };
  }

  /** blockheaderToJSON (blockchain.cpp): no target, no nTx; nonce is nNonce (0 for KawPow blocks). */
  function headerJson(b: ChainBlock): Record<string, unknown> {
    const c = chain();
    const next = c.blockAt(b.height + 1);
    return {
      hash: b.hashHex,
      confirmations: c.height - b.height + 1,
      height: b.height,
      version: b.version,
      versionHex: u32ToHex(b.version),
      merkleroot: bytesToHex(reverseBytes(b.merkleRoot)),
      time: b.time,
      mediantime: b.medianTime,
      nonce: b.nonce,
      bits: u32ToHex(b.bits),
      difficulty: targetToDifficulty(bitsToTarget(b.bits)),
      chainwork: b.chainWork.toString(16).padStart(64, '0'),
      ...(b.height > 0 ? { previousblockhash: bytesToHex(reverseBytes(b.prevHash)) } : {}),
      ...(next ? { nextblockhash: next.hashHex } : {}),
    };
  }

  /** blockToJSON (blockchain.cpp), with the KawPow fields headerhash, mixhash (display order) and nonce64. */
  function blockJson(b: ChainBlock, verbosity: number): unknown {
    if (verbosity <= 0) return bytesToHex(b.raw);
    const c = chain();
    const parsed = c.parseBlock(b.raw);
    const f = parseKawpowHeader(b.header);
    const stripped = b.header.length + encodeVarInt(parsed.txs.length).length + parsed.txs.reduce((n, t) => n + serializeTx(t.tx, { witness: false }).length, 0);
    const next = c.blockAt(b.height + 1);
    return {
      hash: b.hashHex,
      confirmations: c.height - b.height + 1,
      strippedsize: stripped,
      size: b.raw.length,
      weight: stripped * (WITNESS_SCALE_FACTOR - 1) + b.raw.length,
      height: b.height,
      version: b.version,
      versionHex: u32ToHex(b.version),
      merkleroot: bytesToHex(reverseBytes(b.merkleRoot)),
      tx: verbosity === 1 ? b.txids : parsed.txs.map((t) => ravendTxJson(t.tx)),
      time: b.time,
      mediantime: b.medianTime,
      nonce: b.nonce,
      bits: u32ToHex(b.bits),
      difficulty: targetToDifficulty(bitsToTarget(b.bits)),
      chainwork: b.chainWork.toString(16).padStart(64, '0'),
      headerhash: bytesToHex(f.headerHash),
      mixhash: bytesToHex(f.mixHash),
      nonce64: Number(f.nonce) <= Number.MAX_SAFE_INTEGER ? Number(f.nonce) : f.nonce.toString(),
      ...(b.height > 0 ? { previousblockhash: bytesToHex(reverseBytes(b.prevHash)) } : {}),
      ...(next ? { nextblockhash: next.hashHex } : {}),
    };
  }

  /** ravend refuses blocks claiming a height more than 10 above its tip before anything else. */
  function checkHeight(block: ParsedBlock): void {
    if (parseKawpowHeader(block.header).height > chain().height + MAX_HEIGHT_ABOVE_TIP) throw new RpcFailure(RPC_DESERIALIZATION_ERROR, 'Block height is to large');
  }

  const hashArg = (name: string, help: string) => ({ names: name, type: 'string' as const, help });

  return {
    getblocktemplate: {
      category: 'Mining',
      description:
        "If the request parameters include a 'mode' key, that is used to explicitly select between the default 'template' request or a 'proposal'.\nIt returns data needed to construct a block to work on.\nFor full specification, see BIPs 22, 23, 9, and 145.\nWith a mining address (ravend's -miningaddress) the result ends with pprpcheader and pprpcepoch for KawPow GPU miners.",
      args: [{ names: 'template_request', type: 'object', optional: true, help: '(json object, optional) A json object in the following spec: {"mode", "capabilities", "rules", "longpollid", "data"}' }],
      run: async (p, ctx) => {
        const asked = await h.templateRequest(p[0], ctx);
        if ('proposal' in asked) return asked.proposal;
        return templateResult();
      },
    },
    submitblock: {
      category: 'Mining',
      description: 'Attempts to submit new block to network.\nSee https://en.bitcoin.it/wiki/BIP_0022 for full specification.',
      args: [
        { names: 'hexdata', type: 'string', help: '(string, required) the hex-encoded block data to submit' },
        { names: 'dummy', type: 'any', optional: true, help: '(optional) dummy value, for compatibility with BIP22. This value is ignored.' },
      ],
      run: (p) => h.submitBlockHex(p[0] as string, checkHeight),
    },
    pprpcsb: {
      category: 'Mining',
      description: 'Attempts to submit new block to network mined by kawpow gpu miner via rpc.',
      args: [
        hashArg('header_hash', '(string, required) the prow_pow header hash that was given to the gpu miner from this rpc client'),
        hashArg('mix_hash', '(string, required) the mix hash that was mined by the gpu miner via rpc'),
        hashArg('nonce', '(string, required) the nonce of the block that hashed the valid block'),
      ],
      run: async (p) => {
        const nonce = parseHexNonce(p[2], 'Invalid hex nonce');
        const cached = typeof p[0] === 'string' ? pprpc.blocks.get(p[0]) : undefined;
        if (!cached || pprpc.tip !== chain().tip().hashHex) throw new RpcFailure(RPC_INVALID_PARAMS, 'Block header hash not found in block data');
        // uint256S(mix_hash): the hex as displayed; the block stores its bytes reversed.
        const mixProgpow = Uint8Array.from({ length: 32 }, (_, i) => parseInt(uint256Hex(p[1]).slice(2 * i, 2 * i + 2), 16));
        const header = withKawpowSolution(cached.header, nonce, mixProgpow);
        // CheckProofOfWork(GetHashFull) before ProcessNewBlock: the full hash must meet the bits.
        const c = chain();
        await c.coin.pow.prepare(c.height + 1);
        if (c.coin.pow.check(header, c.target, true) === 'high-hash') throw new RpcFailure(RPC_DESERIALIZATION_ERROR, 'Block does not solve the boundary');
        const raw = concatBytes(header, encodeVarInt(1), serializeTx(cached.coinbase));
        const verdict = await h.submitParsedBlock(c.parseBlock(raw), raw);
        return verdict === null ? true : verdict;
      },
    },
    getkawpowhash: {
      category: 'Mining',
      description: 'Get the kawpow hash for a block given its block data',
      args: [
        hashArg('header_hash', '(string, required) the prow_pow header hash that was given to the gpu miner from this rpc client'),
        hashArg('mix_hash', '(string, required) the mix hash that was mined by the gpu miner via rpc'),
        hashArg('nonce', '(string, required) the hex nonce of the block that hashed the valid block'),
        { names: 'height', type: 'number', help: '(number, required) the height of the block data that is being hashed' },
        { names: 'target', type: 'string', optional: true, help: '(string, optional) the target of the block that is hash is trying to meet' },
      ],
      run: async (p) => {
        const nonce = parseHexNonce(p[2], 'Invalid nonce hex string');
        const height = p[3];
        if (typeof height !== 'number' || !Number.isInteger(height) || height < 0 || height > 0xffff_ffff) throw new RpcFailure(RPC_MISC_ERROR, 'JSON value is not an integer as expected');
        if (height > chain().height + MAX_HEIGHT_ABOVE_TIP) throw new RpcFailure(RPC_DESERIALIZATION_ERROR, 'Block height is to large');
        const headerHash = hash256(p[0], 'header_hash');
        const light = chain().coin.kawpow;
        if (!light) throw new RpcFailure(RPC_MISC_ERROR, 'this chain has no KawPow light evaluation');
        await light.prepare(height);
        const r = light.hash(headerHash, nonce, height);
        const digest = bytesToHex(r.finalHash);
        const mix = bytesToHex(r.mixHash);
        const out: Record<string, unknown> = { result: mix === uint256Hex(p[1]) ? 'true' : 'false', digest, mix_hash: mix, info: '' };
        if (p[4] !== undefined && p[4] !== null) out.meets_target = BigInt('0x' + digest) <= BigInt('0x' + uint256Hex(p[4])) ? 'true' : 'false';
        return out;
      },
    },
    getblock: {
      category: 'Blockchain',
      description:
        "If verbosity is 0, returns a string that is serialized, hex-encoded data for block 'hash'.\nIf verbosity is 1, returns an Object with information about block <hash>.\nIf verbosity is 2, returns an Object with information about block <hash> and information about each transaction.",
      args: [
        { names: 'blockhash', type: 'string', help: '(string, required) The block hash' },
        { names: 'verbosity|verbose', type: 'any', optional: true, help: '(numeric, optional, default=1) 0 for hex encoded data, 1 for a json object, and 2 for json object with transaction data' },
      ],
      run: (p) => {
        const v = typeof p[1] === 'boolean' ? (p[1] ? 1 : 0) : p[1] === undefined || p[1] === null ? 1 : Number(p[1]);
        if (!Number.isInteger(v)) throw new RpcFailure(RPC_MISC_ERROR, 'JSON value is not an integer as expected');
        return blockJson(h.block(String(p[0]).toLowerCase()), Math.min(v, 2));
      },
    },
    getblockheader: {
      category: 'Blockchain',
      description: "If verbose is false, returns a string that is serialized, hex-encoded data for blockheader 'hash'.\nIf verbose is true, returns an Object with information about blockheader <hash>.",
      args: [
        { names: 'hash', type: 'string', help: '(string, required) The block hash' },
        { names: 'verbose', type: 'bool', optional: true, help: '(boolean, optional, default=true) true for a json object, false for the hex encoded data' },
      ],
      run: (p) => {
        const b = h.block(String(p[0]).toLowerCase());
        return p[1] === false ? bytesToHex(b.header) : headerJson(b);
      },
    },
    getblockchaininfo: {
      category: 'Blockchain',
      description: 'Returns an object containing various state info regarding blockchain processing.',
      args: [],
      run: () => {
        const c = chain();
        const tip = c.tip();
        let size = 0;
        for (let i = 0; i <= c.height; i++) size += c.blockAt(i)!.raw.length;
        const dgw = tip.height + 1 >= REGTEST_DGW_ACTIVATION;
        return {
          chain: 'regtest',
          simnet: true,
          blocks: tip.height,
          headers: tip.height,
          bestblockhash: tip.hashHex,
          difficulty: targetToDifficulty(bitsToTarget(tip.bits)),
          difficulty_algorithm: dgw ? 'DGW-180' : 'BTC',
          ...(dgw ? {} : { DGW_activation_height: REGTEST_DGW_ACTIVATION }),
          mediantime: tip.medianTime,
          verificationprogress: 1,
          chainwork: tip.chainWork.toString(16).padStart(64, '0'),
          size_on_disk: size,
          pruned: false,
          softforks: [],
          bip9_softforks: {},
          warnings: '',
        };
      },
    },
    getmininginfo: {
      category: 'Mining',
      description: 'Returns a json object containing mining-related information.',
      args: [],
      run: () => ({
        blocks: chain().height,
        currentblockweight: 0,
        currentblocktx: 0,
        difficulty: targetToDifficulty(bitsToTarget(chain().tip().bits)),
        networkhashps: h.networkHashPs(120, -1),
        hashespersec: 0,
        pooledtx: 0,
        chain: 'regtest',
        warnings: '',
      }),
    },
    getnetworkinfo: {
      category: 'Network',
      description: 'Returns an object containing various state info regarding P2P networking.',
      args: [],
      run: () => ({
        version: SPEAKS_RAVEND_VERSION,
        subversion: '/otedama-simnet/',
        protocolversion: RAVEND_PROTOCOL_VERSION,
        localservices: '0000000000000000',
        localrelay: false,
        timeoffset: 0,
        networkactive: true,
        connections: 0,
        networks: [],
        relayfee: RELAY_FEE_RVN_PER_KB,
        incrementalfee: INCREMENTAL_FEE_RVN_PER_KB,
        localaddresses: [],
        warnings: '',
      }),
    },
    validateaddress: {
      category: 'Util',
      description: 'Return information about the given raven address.',
      args: [{ names: 'address', type: 'string', help: '(string, required) The raven address to validate' }],
      run: (p) => {
        try {
          const d = validateAddress(p[0] as string, 'regtest', { coin: 'ravencoin' });
          return { isvalid: true, address: d.address, scriptPubKey: bytesToHex(d.script) };
        } catch (err) {
          if (err instanceof InvalidAddressError) return { isvalid: false };
          throw err;
        }
      },
    },
    simnet_getbalance: {
      category: 'Simnet',
      description: 'Satoshis paid to one address by simnet coinbases: {"address", "sats", "rvn"}.',
      args: [{ names: 'address', type: 'string', help: '(string, required) A Ravencoin regtest address' }],
      run: (p) => {
        let address: string;
        try {
          address = validateAddress(p[0] as string, 'regtest', { chainName: 'the Ravencoin simnet', coin: 'ravencoin' }).address;
        } catch (err) {
          if (err instanceof InvalidAddressError) throw new RpcFailure(RPC_INVALID_ADDRESS_OR_KEY, `Invalid address: ${err.reason}`);
          throw err;
        }
        const sats = chain().balance(address);
        return { address, sats: Number(sats), rvn: Number(sats) / 1e8 };
      },
    },
  };
}

/**
 * Simnet's `scantxoutset`, as bitcoind answers it (rpc/blockchain.cpp): the unspent outputs that
 * pay the given descriptors, with their total. Simnet has only coinbase transactions and nothing
 * spends them, so its UTXO set is every coinbase output of the chain; a scan walks the blocks.
 *
 * Accepted: action "start" with scan objects "addr(ADDRESS)" or "raw(SCRIPTHEX)" (strings, or
 * { desc } objects; a "#checksum" suffix is ignored), "status" (null: scans finish at once) and
 * "abort" (false: nothing to abort). Other descriptors (pkh(), wpkh(KEY), xpubs with ranges) need
 * key handling simnet does not have; they are refused with a reason.
 */
import { bytesToHex, InvalidAddressError, validateAddress } from '@otedama/core';
import type { SimnetChain } from './simnet-chain.ts';

/** Most scan objects in one call (bitcoind bounds the scan by its range instead). */
export const MAX_SCAN_OBJECTS = 100;

/** A failure with bitcoind's error code (-8 invalid parameter, -5 invalid address or key). */
export class ScanError extends Error {
  constructor(
    readonly code: -5 | -8,
    message: string,
  ) {
    super(message);
  }
}

export interface ScanUnspent {
  txid: string;
  vout: number;
  scriptPubKey: string;
  desc: string;
  amount: number;
  coinbase: true;
  height: number;
  blockhash: string;
  confirmations: number;
}

export interface ScanResult {
  success: true;
  txouts: number;
  height: number;
  bestblock: string;
  unspents: ScanUnspent[];
  total_amount: number;
}

const SATS_PER_BTC = 100_000_000;

/** The scriptPubKey (hex) one scan object asks for, and the descriptor to report it under. */
function scriptOf(object: unknown): { script: string; desc: string } {
  const raw = typeof object === 'object' && object !== null && !Array.isArray(object) ? (object as { desc?: unknown }).desc : object;
  if (typeof raw !== 'string') throw new ScanError(-8, 'scan objects must be descriptor strings or { "desc": … } objects');
  const desc = raw.replace(/#[a-z0-9]{8}$/, '');
  const addr = /^addr\((.*)\)$/.exec(desc);
  if (addr) {
    try {
      const decoded = validateAddress(addr[1]!, 'regtest', { chainName: 'simnet' });
      return { script: bytesToHex(decoded.script), desc: `addr(${decoded.address})` };
    } catch (err) {
      if (err instanceof InvalidAddressError) throw new ScanError(-5, `Invalid address: ${err.reason}`);
      throw err;
    }
  }
  const script = /^raw\(([0-9a-fA-F]*)\)$/.exec(desc);
  if (script && script[1]!.length % 2 === 0) return { script: script[1]!.toLowerCase(), desc: `raw(${script[1]!.toLowerCase()})` };
  throw new ScanError(-5, `simnet scans addr(ADDRESS) and raw(HEX) descriptors only (got ${JSON.stringify(raw.slice(0, 80))})`);
}

/** bitcoind's scantxoutset over simnet's chain; throws ScanError for bad parameters. */
export function scanTxOutSet(chain: SimnetChain, action: unknown, scanObjects: unknown): ScanResult | boolean | null {
  if (typeof action !== 'string') throw new ScanError(-8, 'action must be a string ("start", "abort" or "status")');
  if (action === 'status') return null;
  if (action === 'abort') return false;
  if (action !== 'start') throw new ScanError(-8, `Invalid action '${action.slice(0, 40)}'`);
  if (!Array.isArray(scanObjects)) throw new ScanError(-8, 'scanobjects argument is required for the start action');
  if (scanObjects.length > MAX_SCAN_OBJECTS) throw new ScanError(-8, `at most ${MAX_SCAN_OBJECTS} scan objects per call (got ${scanObjects.length})`);
  const wanted = new Map<string, string>();
  for (const o of scanObjects) {
    const { script, desc } = scriptOf(o);
    wanted.set(script, desc);
  }
  const tip = chain.tip();
  const unspents: ScanUnspent[] = [];
  let txouts = 0;
  let total = 0n;
  for (let h = 0; h <= chain.height; h++) {
    const b = chain.blockAt(h)!;
    // Coinbase-only blocks: the merkle root is the coinbase's txid.
    const txid = bytesToHex(b.merkleRoot.slice().reverse());
    b.coinbaseOutputs.forEach((o, vout) => {
      txouts++;
      const script = bytesToHex(o.script);
      const desc = wanted.get(script);
      if (desc === undefined) return;
      total += o.value;
      unspents.push({ txid, vout, scriptPubKey: script, desc, amount: Number(o.value) / SATS_PER_BTC, coinbase: true, height: h, blockhash: b.hashHex, confirmations: tip.height - h + 1 });
    });
  }
  return { success: true, txouts, height: tip.height, bestblock: tip.hashHex, unspents, total_amount: Number(total) / SATS_PER_BTC };
}

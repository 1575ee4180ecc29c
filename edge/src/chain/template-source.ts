/**
 * The contract between the chain side (simnet, or a bitcoind or ravend over JSON-RPC) and the
 * job side. Implementations: template-source-rpc.ts (one client for both simnets and real
 * nodes). The algorithm module says how a template becomes a job header and a found header a
 * block (template-work.ts).
 */
import type { Algorithm, BlockTemplate, Coin } from '@otedama/core';

export interface TemplateUpdate {
  template: BlockTemplate;
  /** True when the previous block changed: miners must drop old work (clean_jobs). */
  newBlock: boolean;
  /**
   * Coin blocks the node moved past since the last template, oldest first: a long-poll answers
   * with the newest template only, so two blocks found within one round trip show up as a jump
   * in height. Other nodes may have handed out templates on them, and shares built on them are
   * still open (a tip and the blocks just before it). Absent when the tip moved by one block.
   */
  passed?: readonly PassedCoinBlock[];
}

/** A coin block between two templates a source saw (TemplateUpdate.passed). */
export interface PassedCoinBlock {
  /** Its hash, internal byte order: the prevHash of a header built on it. */
  readonly hash: Uint8Array;
  /** The height of a block built on it. */
  readonly nextHeight: number;
  /** The compact target of a block built on it: the bits of the block that did follow it. */
  readonly nextBits: number;
}

export interface SubmitBlockResult {
  accepted: boolean;
  /** bitcoind's reject reason ("duplicate", "high-hash", ...) when not accepted. */
  reason?: string;
}

export interface TemplateSource {
  /** The algorithm the chain mines: the job header form, the job input, the block header (absent: SHA-256d). */
  readonly algorithm?: Algorithm;
  /** Whose address formats the chain's coinbases pay (absent: bitcoin). */
  readonly coin?: Coin;
  start(): Promise<void>;
  /** Idempotent; stops polling and closes connections. */
  stop(): Promise<void>;
  /** The latest template, once start() has resolved. */
  current(): BlockTemplate | undefined;
  /** Subscribes to new templates; returns an unsubscribe function. */
  onTemplate(listener: (update: TemplateUpdate) => void): () => void;
  /** Submits a full serialized block (hex): the algorithm's header, the coinbase, the template's transactions. */
  submitBlock(blockHex: string): Promise<SubmitBlockResult>;
}

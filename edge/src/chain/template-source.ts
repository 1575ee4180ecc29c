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

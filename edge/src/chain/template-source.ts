/**
 * The contract between the chain side (simnet, or a bitcoind over JSON-RPC) and the job side.
 * Implementations: template-source-rpc.ts (one client for simnet and real nodes).
 */
import type { BlockTemplate } from '@otedama/core';

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
  start(): Promise<void>;
  /** Idempotent; stops polling and closes connections. */
  stop(): Promise<void>;
  /** The latest template, once start() has resolved. */
  current(): BlockTemplate | undefined;
  /** Subscribes to new templates; returns an unsubscribe function. */
  onTemplate(listener: (update: TemplateUpdate) => void): () => void;
  /** Submits a full serialized block (hex). */
  submitBlock(blockHex: string): Promise<SubmitBlockResult>;
}

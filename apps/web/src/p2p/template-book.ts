/**
 * Which coin template the page mines on. Templates arrive signed (core's template-codec.ts) from
 * edges over gossip or on request; the page accepts one only when it is for this pool, signed by
 * an edge the page trusts (peer ids it bootstrapped from or its edge list names), with a valid
 * signature, and not stale. Of those it mines on the highest coin height, the newest there.
 * Pure: the caller checks the signature (libp2p keys) between `check` and `accept`.
 */
import { bytesEqual, bytesToHex, templateAgeProblem, type CoinTemplate, type SignedTemplate } from '@otedama/core';

export type TemplateVerdict =
  | { readonly result: 'acceptable' }
  | { readonly result: 'other-pool' }
  | { readonly result: 'untrusted'; readonly signer: string }
  | { readonly result: 'stale'; readonly why: string }
  /** Older than the one the page mines on (a lower coin height, or the same height issued earlier). */
  | { readonly result: 'older' };

export class TemplateBook {
  private readonly trusted = new Set<string>();
  private best: SignedTemplate | undefined;
  private bestSigner: string | undefined;

  constructor(
    private readonly poolId: Uint8Array,
    private readonly now: () => number = Date.now,
  ) {}

  /** Edges (peer ids) whose templates the page accepts. */
  trust(peerIds: Iterable<string>): void {
    for (const p of peerIds) this.trusted.add(p);
  }

  isTrusted(peerId: string): boolean {
    return this.trusted.has(peerId);
  }

  get trustedEdges(): string[] {
    return [...this.trusted];
  }

  /** Everything but the signature: may the page use this template, signed by `signer`? */
  check(t: SignedTemplate, signer: string): TemplateVerdict {
    const { template } = t;
    if (!bytesEqual(template.poolId, this.poolId)) return { result: 'other-pool' };
    if (!this.trusted.has(signer)) return { result: 'untrusted', signer };
    const problem = templateAgeProblem(template, this.now());
    if (problem) return { result: 'stale', why: problem };
    const best = this.current();
    if (best && (template.height < best.template.height || (template.height === best.template.height && template.issuedAt <= best.template.issuedAt))) return { result: 'older' };
    return { result: 'acceptable' };
  }

  /** Takes a template that passed `check` and whose signature verified; true when it is now the one mined on. */
  accept(t: SignedTemplate, signer: string): boolean {
    if (this.check(t, signer).result !== 'acceptable') return false;
    this.best = t;
    this.bestSigner = signer;
    return true;
  }

  /** The template to mine on now (undefined when none is held or the last one went stale). */
  current(): SignedTemplate | undefined {
    if (this.best && templateAgeProblem(this.best.template, this.now())) return undefined;
    return this.best;
  }

  /** The last accepted template even if stale (to say why mining stopped), and its signer. */
  last(): { template: CoinTemplate; signer: string; stale: string | undefined } | undefined {
    if (!this.best || !this.bestSigner) return undefined;
    return { template: this.best.template, signer: this.bestSigner, stale: templateAgeProblem(this.best.template, this.now()) };
  }

  /** A key that changes whenever the work a template describes changes (tip, reward, transactions). */
  static workKey(t: CoinTemplate): string {
    return `${bytesToHex(t.prevHash)}:${t.reward}:${t.merkleBranch.map(bytesToHex).join(',')}`;
  }
}

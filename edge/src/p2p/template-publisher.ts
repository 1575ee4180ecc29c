/**
 * Templates for miners that are not edges (browsers): the edge turns each block template of its
 * coin node into core's CoinTemplate (header fields, coinbase value, height, the coinbase's merkle
 * branch, the mandated outputs, the block target's bits), signs it with its libp2p key, gossips
 * it on the pool's templates topic and answers template requests (core's template-codec.ts) with
 * the latest one. Every template published goes into the TemplateArchive with its transactions,
 * so the block relay can rebuild a block found on it.
 *
 * A template is re-issued (new time, new signature) every half of its validity while the coin tip
 * stands still, so pages that keep mining between coin blocks never hold a stale one.
 */
import { TopicValidatorResult, type GossipSub } from '@libp2p/gossipsub';
import type { PrivateKey } from '@libp2p/interface';
import {
  decodeTemplateRequest,
  encodeTemplateResponse,
  MAX_TEMPLATE_RESPONSE_BYTES,
  signTemplate,
  templateProtocol,
  templatesTopic,
  type BlockTemplate,
  type SignedTemplate,
} from '@otedama/core';
import type { TemplateSource } from '../chain/template-source.ts';
import type { Logger } from '../logger.ts';
import type { P2pExtension, P2pExtensionContext } from './p2p-node.ts';
import { handleOneRequest } from './request-stream.ts';
import { coinWorkOf, type TemplateArchive } from './template-archive.ts';

/**
 * How long a page may mine on a template without hearing a newer one: on a real coin a block
 * comes every ~10 minutes, so a template older than that more likely than not builds on a block
 * that is no longer the tip (its shares would still count for up to three coin blocks).
 */
export const REAL_COIN_TEMPLATE_VALID_MS = 600_000;
/** A peer has this long to send its one request frame, and we to answer. */
const TEMPLATE_REQUEST_TIMEOUT_MS = 5_000;
/** Request streams one peer may hold open at once (a page asks once per connection). */
const MAX_INBOUND_TEMPLATE_STREAMS = 2;

export interface TemplatePublisherOptions {
  readonly poolId: Uint8Array;
  /** The edge's libp2p key: it signs, and its peer id names the signer. */
  readonly privateKey: PrivateKey;
  readonly source: Pick<TemplateSource, 'current' | 'onTemplate'>;
  readonly archive: TemplateArchive;
  readonly logger: Logger;
  /** How long a template may be mined on after it was issued (ms). */
  readonly validForMs?: number;
  readonly now?: () => number;
}

export class TemplatePublisher implements P2pExtension {
  readonly protocol: string;
  readonly topic: string;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly validForMs: number;
  private readonly signer: Uint8Array;
  private context: P2pExtensionContext | undefined;
  private latestSigned: SignedTemplate | undefined;
  private unsubscribe: (() => void) | undefined;
  private refreshTimer: ReturnType<typeof setInterval> | undefined;
  private issuing: Promise<void> = Promise.resolve();
  private published = 0;

  constructor(private readonly options: TemplatePublisherOptions) {
    this.protocol = templateProtocol(options.poolId);
    this.topic = templatesTopic(options.poolId);
    this.log = options.logger.forComponent('edge:p2p:templates');
    this.now = options.now ?? Date.now;
    this.validForMs = options.validForMs ?? REAL_COIN_TEMPLATE_VALID_MS;
    // An Ed25519 peer id is the identity multihash of the public key: derive it from the key itself.
    this.signer = peerIdBytes(options.privateKey);
  }

  /** The latest signed template (what a request is answered with). */
  latest(): SignedTemplate | undefined {
    return this.latestSigned;
  }

  /** Templates gossiped since start. */
  get publishedCount(): number {
    return this.published;
  }

  async start(context: P2pExtensionContext): Promise<void> {
    if (this.context) return;
    this.context = context;
    // Templates are the edges' to publish: a page's relays are validated by pages; here any
    // message on the topic from a peer is ignored (never delivered, never relayed by us).
    context.pubsub.topicValidators.set(this.topic, () => TopicValidatorResult.Ignore);
    await handleOneRequest(
      context.node,
      this.protocol,
      {
        guard: context.guard,
        log: this.log,
        what: 'template request',
        maxFrameBytes: MAX_TEMPLATE_RESPONSE_BYTES,
        timeoutMs: TEMPLATE_REQUEST_TIMEOUT_MS,
        decode: decodeTemplateRequest,
        answer: () => this.answer(),
        error: (text) => encodeTemplateResponse({ type: 'error', text }),
      },
      MAX_INBOUND_TEMPLATE_STREAMS,
    );
    this.unsubscribe = this.options.source.onTemplate((u) => this.issue(u.template));
    const current = this.options.source.current();
    if (current) this.issue(current);
    this.refreshTimer = setInterval(() => {
      const t = this.options.source.current();
      if (t) this.issue(t);
    }, Math.max(1000, Math.floor(this.validForMs / 2)));
    this.refreshTimer.unref?.();
  }

  async stop(): Promise<void> {
    const context = this.context;
    if (!context) return;
    this.context = undefined;
    clearInterval(this.refreshTimer);
    this.unsubscribe?.();
    await this.issuing.catch(() => undefined);
    context.pubsub.topicValidators.delete(this.topic);
    await context.node.unhandle(this.protocol).catch(() => undefined);
  }

  /** Signs and gossips `template` (serialized: one signature at a time, newest last). */
  private issue(template: BlockTemplate): void {
    this.options.archive.put(template);
    this.issuing = this.issuing.then(() => this.signAndPublish(template)).catch((err: unknown) => this.log.error('template not published', { error: (err as Error).message }));
  }

  private async signAndPublish(template: BlockTemplate): Promise<void> {
    const context = this.context;
    if (!context) return;
    const now = this.now();
    const work = coinWorkOf(template);
    const signed = await signTemplate(
      {
        poolId: this.options.poolId,
        signer: this.signer,
        issuedAt: now,
        validForMs: this.validForMs,
        height: template.height,
        headerVersion: template.version,
        prevHash: template.prevHash,
        // The header time a miner starts from: never behind the node's, never behind the clock.
        curtime: Math.max(template.curtime, Math.floor(now / 1000)),
        bits: template.bits,
        reward: template.coinbaseValue,
        mandatedOutputs: work.mandatedOutputs,
        merkleBranch: work.merkleBranch,
      },
      (m) => this.options.privateKey.sign(m),
    );
    this.latestSigned = signed;
    // The first template is signed while the node is still starting: requests get it; gossip waits for the next.
    if (!(context.pubsub as GossipSub & { isStarted(): boolean }).isStarted()) return;
    const r = await context.pubsub.publish(this.topic, signed.encoded);
    this.published++;
    this.log.debug('template published', { height: template.height, peers: r.recipients.length });
  }

  private answer(): Uint8Array {
    const latest = this.latestSigned;
    return encodeTemplateResponse(latest ? { type: 'template', template: latest } : { type: 'error', text: 'no template yet: the coin node has not answered' });
  }

}

/** The peer id of a libp2p key as bytes (the multihash the signer field carries). */
function peerIdBytes(key: PrivateKey): Uint8Array {
  return key.publicKey.toMultihash().bytes;
}


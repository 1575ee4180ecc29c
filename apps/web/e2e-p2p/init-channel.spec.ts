/**
 * The answering end of @libp2p/webrtc's 'init' data channel (webrtc-init-channel.ts), on real
 * RTCPeerConnections in Chromium: two connections in one page, over the namespace's addresses.
 * The answerer's listener that closes every 'init' channel it is handed stands for libp2p's muxer
 * (muxer.js closes it at once); added after construction, as libp2p adds its own. Without the
 * hold, that close reaches the dialer's channel whatever the dialer does — what made about one
 * dial in four end in a timeout after "connected" (the dialer saw 'open' and 'close' before its
 * "connected" event, then waited for an 'open' that had passed). With it, the dialer's channel
 * stays open until the dialer closes it, or until the grace runs out; a second 'init' channel is
 * not held.
 */
import { expect, test, type Page } from '@playwright/test';
import { LIBP2P_INIT_CHANNEL_LABEL, withInitChannelHeld } from '../src/p2p/webrtc-init-channel.ts';
import { negotiateInPage } from './in-page-negotiation.ts';

/** How long the answerer holds the dialer's 'init' channel in this test (ms): short, so the grace is seen to end. */
const GRACE_MS = 2_000;
/** How long the channel is watched for a close that must not come (ms), well inside the grace. */
const WATCH_MS = 800;

interface Outcome {
  /** The dialer's channels, in order of creation: their state now, and who closed them ('remote' when the dialer did not). */
  channels: { label: string; state: RTCDataChannelState; closedBy?: 'dialer' | 'remote' }[];
  /** 'init' channels the muxer stand-in was handed. */
  muxerSaw: number;
}

/**
 * Connects a dialer (native class) to an answerer (`held` ? withInitChannelHeld : native) in the
 * page, the dialer opening `inits` channels labelled 'init'; resolves once every one has opened
 * (it is not waited on to close). The page keeps `window.pair` to look at later.
 */
async function connect(page: Page, held: boolean, inits: number): Promise<void> {
  await page.evaluate(
    async ({ held, inits, graceMs, label, holdSource, negotiateSource }) => {
      // The class under test, from its module's source (the page has no bundler).
      const withHeld = new Function('LIBP2P_INIT_CHANNEL_LABEL', `return (${holdSource});`)(label) as (Base: typeof RTCPeerConnection, graceMs: number) => typeof RTCPeerConnection;
      const Answerer = held ? withHeld(RTCPeerConnection, graceMs) : RTCPeerConnection;
      const dialer = new RTCPeerConnection({ iceServers: [] });
      const answerer = new Answerer({ iceServers: [] });
      const pair = { channels: [] as Outcome['channels'], muxerSaw: 0, dialer, answerer, raw: [] as RTCDataChannel[] };
      (window as unknown as { pair: typeof pair }).pair = pair;
      answerer.addEventListener('datachannel', (e) => {
        if (e.channel.label !== label) return;
        pair.muxerSaw++;
        e.channel.close();
      });
      const opened: Promise<void>[] = [];
      for (let i = 0; i < inits; i++) {
        const ch = dialer.createDataChannel(label);
        const seen: Outcome['channels'][number] = { label, state: ch.readyState };
        pair.channels.push(seen);
        pair.raw.push(ch);
        const close = ch.close.bind(ch);
        ch.close = () => {
          seen.closedBy ??= 'dialer';
          close();
        };
        ch.addEventListener('close', () => (seen.closedBy ??= 'remote'));
        opened.push(new Promise((r) => ch.addEventListener('open', () => r())));
      }
      await (new Function(`return (${negotiateSource});`)() as typeof negotiateInPage)(dialer, answerer);
      await Promise.all(opened);
    },
    { held, inits, graceMs: GRACE_MS, label: LIBP2P_INIT_CHANNEL_LABEL, holdSource: withInitChannelHeld.toString(), negotiateSource: negotiateInPage.toString() },
  );
}

const outcome = (page: Page) =>
  page.evaluate(() => {
    const pair = (window as unknown as { pair: Outcome & { raw: RTCDataChannel[] } }).pair;
    return { channels: pair.channels.map((c, i) => ({ ...c, state: pair.raw[i]!.readyState })), muxerSaw: pair.muxerSaw } satisfies Outcome;
  });

test.describe('the dialer\'s init channel at the answering end', () => {
  test('without the hold, the answerer\'s muxer closes the dialer\'s channel before the dialer does', async ({ page }) => {
    await page.goto('about:blank');
    await connect(page, false, 1);
    await expect.poll(async () => (await outcome(page)).channels[0]).toMatchObject({ state: 'closed', closedBy: 'remote' });
    expect((await outcome(page)).muxerSaw).toBe(1);
  });

  test('with the hold, it stays open until the dialer closes it, and a second one is not held', async ({ page }) => {
    await page.goto('about:blank');
    await connect(page, true, 2);
    // Whichever reaches the answerer second goes to the muxer stand-in, which closes it as libp2p's would.
    const states = async () => (await outcome(page)).channels.map((c) => `${c.state} ${c.closedBy ?? ''}`.trim()).sort();
    await expect.poll(states).toEqual(['closed remote', 'open']);
    expect((await outcome(page)).muxerSaw).toBe(1);
    // The held one stays open: nothing at the answering end closes it within the watch.
    await page.waitForTimeout(WATCH_MS);
    expect(await states()).toEqual(['closed remote', 'open']);
    await page.evaluate(() => {
      const pair = (window as unknown as { pair: { raw: RTCDataChannel[] } }).pair;
      pair.raw.find((c) => c.readyState === 'open')!.close();
    });
    await expect.poll(states).toEqual(['closed dialer', 'closed remote']);
  });

  test('a dialer that never closes it has it closed by the answerer when the grace ends', async ({ page }) => {
    await page.goto('about:blank');
    await connect(page, true, 1);
    await expect.poll(async () => (await outcome(page)).channels[0], { timeout: GRACE_MS + 10_000 }).toMatchObject({ state: 'closed', closedBy: 'remote' });
    expect((await outcome(page)).muxerSaw).toBe(0);
  });
});

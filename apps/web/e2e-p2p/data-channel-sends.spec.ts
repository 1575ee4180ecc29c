/**
 * One data channel message per write (data-channel-sends.ts), on real RTCPeerConnections in
 * Chromium: two connections in one page, over the namespace's addresses. Each write is sent the
 * way @libp2p/webrtc sends it (its length prefix, then its message, in one turn); the other end
 * records every message event it gets. Without the joining, a write is two messages; with it, one,
 * holding the same bytes in the same order, whichever end opened the channel.
 */
import { expect, test, type Page } from '@playwright/test';
import { joinChannelSends, withJoinedChannelSends } from '../src/p2p/data-channel-sends.ts';
import { negotiateInPage } from './in-page-negotiation.ts';

interface Pair {
  /** The messages each end received, as byte arrays, and 'close' when its channel closed. */
  atAnswerer: (number[] | 'close')[];
  atDialer: (number[] | 'close')[];
}

/**
 * Connects a dialer to an answerer in the page (both `joined` ? withJoinedChannelSends : native),
 * the dialer opening one channel; resolves once both ends of it are open. The page keeps
 * `window.pair`: the two channels (`dialer`, `answerer`) and what each end received.
 */
async function connect(page: Page, joined: boolean, maxBytes: number): Promise<void> {
  await page.goto('about:blank');
  await page.evaluate(
    async ({ joined, maxBytes, joinSource, withSource, negotiateSource }) => {
      // The functions under test, from their module's source (the page has no bundler).
      const join = new Function(`return (${joinSource});`)() as typeof joinChannelSends;
      const withJoined = new Function('joinChannelSends', 'MAX_JOINED_MESSAGE_BYTES', `return (${withSource});`)(join, maxBytes) as typeof withJoinedChannelSends;
      const Pc = joined ? withJoined(RTCPeerConnection, maxBytes) : RTCPeerConnection;
      const dialerPc = new Pc({ iceServers: [] });
      const answererPc = new Pc({ iceServers: [] });
      const pair = { atAnswerer: [] as Pair['atAnswerer'], atDialer: [] as Pair['atDialer'], dialer: undefined as unknown as RTCDataChannel, answerer: undefined as unknown as RTCDataChannel };
      (window as unknown as { pair: typeof pair }).pair = pair;
      const record = (ch: RTCDataChannel, into: Pair['atAnswerer']) => {
        ch.binaryType = 'arraybuffer';
        ch.addEventListener('message', (e: MessageEvent<ArrayBuffer>) => into.push([...new Uint8Array(e.data)]));
        ch.addEventListener('close', () => into.push('close'));
      };
      pair.dialer = dialerPc.createDataChannel('stream');
      record(pair.dialer, pair.atDialer);
      const dialerOpen = new Promise((r) => pair.dialer.addEventListener('open', r));
      const answererOpen = new Promise<void>((r) =>
        answererPc.addEventListener('datachannel', (e) => {
          pair.answerer = e.channel;
          record(e.channel, pair.atAnswerer);
          if (e.channel.readyState === 'open') r();
          else e.channel.addEventListener('open', () => r());
        }),
      );
      await (new Function(`return (${negotiateSource});`)() as typeof negotiateInPage)(dialerPc, answererPc);
      await Promise.all([dialerOpen, answererOpen]);
    },
    { joined, maxBytes, joinSource: joinChannelSends.toString(), withSource: withJoinedChannelSends.toString(), negotiateSource: negotiateInPage.toString() },
  );
}

/** Runs `script` in the page with the pair's channels; the bytes are plain arrays. */
const sendFrom = <A>(page: Page, script: (c: { dialer: RTCDataChannel; answerer: RTCDataChannel }, arg: A) => unknown, arg: A) =>
  page.evaluate(
    ({ source, arg }) => {
      const pair = (window as unknown as { pair: { dialer: RTCDataChannel; answerer: RTCDataChannel } }).pair;
      return (new Function(`return (${source});`)() as (c: typeof pair, a: unknown) => unknown)(pair, arg);
    },
    { source: script.toString(), arg },
  );

/** Two writes in one turn, each as libp2p sends it (length, then message), then a third in a later task. */
const libp2pWrites = (c: { dialer: RTCDataChannel }) =>
  new Promise<void>((done) => {
    c.dialer.send(new Uint8Array([3]));
    c.dialer.send(new Uint8Array([10, 11, 12]));
    c.dialer.send(new Uint8Array([1]));
    c.dialer.send(new Uint8Array([20]));
    setTimeout(() => {
      c.dialer.send(new Uint8Array([1]));
      c.dialer.send(new Uint8Array([30]));
      done();
    }, 0);
  });

const received = (page: Page, end: 'atAnswerer' | 'atDialer') => page.evaluate((end) => (window as unknown as { pair: Pair }).pair[end], end);

test.describe('a data channel write as one message', () => {
  test('natively, each part of a write is a message of its own', async ({ page }) => {
    await connect(page, false, 16 * 1024);
    await sendFrom(page, libp2pWrites, null);
    await expect.poll(() => received(page, 'atAnswerer')).toEqual([[3], [10, 11, 12], [1], [20], [1], [30]]);
  });

  test('joined, what one turn sends is one message with the same bytes in order; a later turn sends its own', async ({ page }) => {
    await connect(page, true, 16 * 1024);
    await sendFrom(page, libp2pWrites, null);
    await expect.poll(() => received(page, 'atAnswerer')).toEqual([
      [3, 10, 11, 12, 1, 20],
      [1, 30],
    ]);
    // The end that was handed the channel (the 'datachannel' event) joins its sends too.
    await sendFrom(page, (c) => (c.answerer.send(new Uint8Array([2])), c.answerer.send(new Uint8Array([40, 41]))), null);
    await expect.poll(() => received(page, 'atDialer')).toEqual([[2, 40, 41]]);
  });

  test('joined, a message stays within the size bound: what is held is sent before a part that would pass it', async ({ page }) => {
    await connect(page, true, 8);
    await sendFrom(
      page,
      (c) => {
        for (const b of [1, 2, 3]) c.dialer.send(new Uint8Array([b, b, b]));
        c.dialer.send(new Uint8Array(12).fill(9));
      },
      null,
    );
    // 3 + 3 fit in 8; the third 3 would not, so the first two go; 12 is over the bound alone and goes on its own.
    await expect.poll(() => received(page, 'atAnswerer')).toEqual([[1, 1, 1, 2, 2, 2], [3, 3, 3], new Array(12).fill(9)]);
  });

  test('joined, the bytes are copied when given, counted in bufferedAmount while held, and sent before a close', async ({ page }) => {
    await connect(page, true, 16 * 1024);
    const seen = await sendFrom(
      page,
      (c) => {
        const reused = new Uint8Array([7, 7, 7]);
        const before = c.dialer.bufferedAmount;
        c.dialer.send(reused);
        const held = c.dialer.bufferedAmount - before;
        reused.fill(0); // libp2p may reuse a buffer once send returns
        c.dialer.send(new Uint8Array(100));
        const heldAfter = c.dialer.bufferedAmount - before;
        c.dialer.close();
        return { held, heldAfter };
      },
      null,
    );
    expect(seen).toEqual({ held: 3, heldAfter: 103 });
    await expect.poll(() => received(page, 'atAnswerer')).toEqual([[7, 7, 7, ...new Array(100).fill(0)], 'close']);
  });

  test('joined, a channel that is not open sends nothing and throws as the native one does', async ({ page }) => {
    await connect(page, true, 16 * 1024);
    const error = await sendFrom(
      page,
      async (c) => {
        c.dialer.close();
        await new Promise((r) => setTimeout(r, 0));
        try {
          c.dialer.send(new Uint8Array([1]));
          return 'sent';
        } catch (e) {
          return (e as Error).name;
        }
      },
      null,
    );
    expect(error).toBe('InvalidStateError');
    await expect.poll(() => received(page, 'atAnswerer')).toEqual(['close']);
  });
});

import { TypedEventEmitter, type ComponentLogger, type Connection, type Libp2pEvents, type Logger as Libp2pLogger, type MultiaddrConnection, type Transport, type Upgrader } from '@libp2p/interface';
import { webSockets } from '@libp2p/websockets';
import { multiaddr } from '@multiformats/multiaddr';
import { Uint8ArrayList } from 'uint8arraylist';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { joinChunks, withCoalescedWrites } from './coalesced-writes.ts';

// libp2p's transports log through a component logger; these tests read nothing from it.
const quiet: Libp2pLogger = Object.assign(() => undefined, { error: () => undefined, trace: () => undefined, enabled: false, newScope: () => quiet });
const components = { logger: { forComponent: () => quiet } as ComponentLogger, events: new TypedEventEmitter<Libp2pEvents>() };

let server: WebSocketServer | undefined;
afterEach(async () => {
  for (const c of server?.clients ?? []) c.terminate();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A WebSocket server on loopback that keeps every message it gets, as one byte string each. */
async function recordingServer(): Promise<{ port: number; messages: Uint8Array[] }> {
  const messages: Uint8Array[] = [];
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (ws) => ws.on('message', (data: RawData) => messages.push(new Uint8Array(data as Buffer))));
  await new Promise((r) => server!.once('listening', r));
  return { port: (server.address() as { port: number }).port, messages };
}

/** Dials the server with `transport` and hands back the raw connection the upgrader got (no Noise, no muxer). */
async function dialRaw(transport: Transport, port: number): Promise<MultiaddrConnection> {
  let raw: MultiaddrConnection | undefined;
  const upgrader = {
    upgradeOutbound: async (maConn: MultiaddrConnection) => {
      raw = maConn;
      return {} as Connection;
    },
  } as unknown as Upgrader;
  await transport.dial(multiaddr(`/ip4/127.0.0.1/tcp/${port}/ws`), { upgrader, signal: AbortSignal.timeout(5000) });
  return raw!;
}

describe('coalesced writes', () => {
  it('joins the chunks of one send into one buffer, bytes and order kept', () => {
    const list = new Uint8ArrayList(Uint8Array.of(0, 3), Uint8Array.of(1, 2, 3), Uint8Array.of(4));
    expect([...joinChunks(list)]).toHaveLength(1);
    expect([...list.subarray()]).toEqual([0, 3, 1, 2, 3, 4]);
    const one = new Uint8ArrayList(Uint8Array.of(9));
    const [before] = one;
    expect([...joinChunks(one)][0]).toBe(before);
  });

  it('sends what Noise writes as one frame (a length and a ciphertext) as one WebSocket message, where the bare transport sends two', async () => {
    const { port, messages } = await recordingServer();
    const frame = () => new Uint8ArrayList(Uint8Array.of(0, 4), Uint8Array.of(0xde, 0xad, 0xbe, 0xef));

    const bare = await dialRaw(webSockets()(components), port);
    bare.send(frame());
    await expect.poll(() => messages.length).toBe(2);
    await bare.close();

    messages.length = 0;
    const joined = await dialRaw(withCoalescedWrites(webSockets())(components), port);
    joined.send(frame());
    joined.send(frame());
    await expect.poll(() => messages.length).toBe(2);
    expect(messages.map((m) => [...m])).toEqual([
      [0, 4, 0xde, 0xad, 0xbe, 0xef],
      [0, 4, 0xde, 0xad, 0xbe, 0xef],
    ]);
    await joined.close();
  });

  it('does the same on the connections a listener accepts (an edge answering pages)', async () => {
    let accepted: MultiaddrConnection | undefined;
    const upgrader = {
      upgradeInbound: async (maConn: MultiaddrConnection) => {
        accepted = maConn;
      },
      createInboundAbortSignal: () => AbortSignal.timeout(5000),
    } as unknown as Upgrader;
    const listener = withCoalescedWrites(webSockets())(components).createListener({ upgrader });
    await listener.listen(multiaddr('/ip4/127.0.0.1/tcp/0/ws'));
    try {
      const messages: Uint8Array[] = [];
      const client = new WebSocket(listener.getAddrs()[0]!.toString().replace(/^\/ip4\/([\d.]+)\/tcp\/(\d+)\/ws.*$/, 'ws://$1:$2'));
      client.on('message', (data: RawData) => messages.push(new Uint8Array(data as Buffer)));
      await expect.poll(() => accepted !== undefined).toBe(true);
      accepted!.send(new Uint8ArrayList(Uint8Array.of(0, 2), Uint8Array.of(7, 8)));
      await expect.poll(() => messages.length).toBe(1);
      expect([...messages[0]!]).toEqual([0, 2, 7, 8]);
      client.terminate();
    } finally {
      await listener.close();
    }
  });
});

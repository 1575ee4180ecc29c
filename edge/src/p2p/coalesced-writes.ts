/**
 * One socket write per libp2p write. Noise encrypts each frame into two chunks (its 2-byte length,
 * then the ciphertext), and the WebSockets and TCP connections of js-libp2p 3 send every chunk on
 * its own: two WebSocket messages (two TCP segments, two wake-ups of the reader and, in a page, two
 * main-thread tasks) for every gossiped share, ping or relayed byte. On a busy machine each of
 * those waits for a CPU at both ends, and the page-to-edge link slowed down with every page added
 * (apps/web/bench/p2p-browser-bench.ts --profile-network). This joins what one send holds into one
 * buffer before the transport sees it; the bytes on the wire are the same, the framing of the
 * stream is unchanged (Noise reads a byte stream), and a reader sees one message where it saw two.
 *
 * The wrapper sits on the transport's upgrader (the only place both the dialled and the accepted
 * connections of a transport pass through before they carry anything); nothing else changes.
 */
import type { Connection, MultiaddrConnection, Transport, Upgrader } from '@libp2p/interface';
import type { Uint8ArrayList } from 'uint8arraylist';

interface SendsData {
  sendData(data: Uint8ArrayList): unknown;
}

/** Chunks of one send joined into one, in place (the caller gave a copy it owns). */
export function joinChunks(data: Uint8ArrayList): Uint8ArrayList {
  let chunks = 0;
  for (const _ of data) if (++chunks > 1) break;
  if (chunks > 1) {
    const whole = data.subarray();
    data.consume(data.byteLength);
    data.append(whole);
  }
  return data;
}

/** Makes `maConn` hand its transport one buffer per send (a no-op for a connection without sendData). */
export function coalesceWrites<T extends MultiaddrConnection>(maConn: T): T {
  const conn = maConn as unknown as Partial<SendsData> & { otedamaCoalesced?: true };
  if (typeof conn.sendData !== 'function' || conn.otedamaCoalesced) return maConn;
  const send = conn.sendData.bind(maConn);
  conn.sendData = (data: Uint8ArrayList) => send(joinChunks(data));
  conn.otedamaCoalesced = true;
  return maConn;
}

/** `upgrader`, coalescing the writes of every connection it upgrades. */
function coalescingUpgrader(upgrader: Upgrader): Upgrader {
  return new Proxy(upgrader, {
    get(target, key) {
      if (key === 'upgradeInbound') return (maConn: MultiaddrConnection, opts: Parameters<Upgrader['upgradeInbound']>[1]): Promise<void> => target.upgradeInbound(coalesceWrites(maConn), opts);
      if (key === 'upgradeOutbound') return (maConn: MultiaddrConnection, opts: Parameters<Upgrader['upgradeOutbound']>[1]): Promise<Connection> => target.upgradeOutbound(coalesceWrites(maConn), opts);
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * A transport factory (webSockets(), tcp()) whose connections write one buffer per send. The
 * transport object itself is the original (libp2p recognises transports by symbols on it); only
 * its dial and createListener see another upgrader.
 */
export function withCoalescedWrites<C>(factory: (components: C) => Transport): (components: C) => Transport {
  return (components) => {
    const transport = factory(components);
    const dial = transport.dial.bind(transport);
    const createListener = transport.createListener.bind(transport);
    transport.dial = (ma, options) => dial(ma, { ...options, upgrader: coalescingUpgrader(options.upgrader) });
    transport.createListener = (options) => createListener({ ...options, upgrader: coalescingUpgrader(options.upgrader) });
    return transport;
  };
}

/**
 * Checks of the multiaddrs an operator writes (p2p.listen, p2p.bootstrap_nodes, --bootstrap):
 * each answers a reason a person can act on, or undefined when the address is usable. Only what
 * an edge can listen on or dial is accepted: TCP, and WebSockets over TCP, on an IP address or
 * (to dial) a DNS name.
 */
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr, type Component } from '@multiformats/multiaddr';
import { isIP, isIPv6 } from 'node:net';

export const BOOTSTRAP_EXAMPLE = '/ip4/192.0.2.10/tcp/4733/p2p/12D3KooW…';
const HOSTS = new Set(['ip4', 'ip6', 'dns', 'dns4', 'dns6']);

function components(text: string): Component[] | string {
  if (!text.startsWith('/')) return `is not a multiaddr (it starts with "/", such as ${BOOTSTRAP_EXAMPLE})`;
  try {
    return multiaddr(text).getComponents();
  } catch (err) {
    return `is not a valid multiaddr (${(err as Error).message})`;
  }
}

/** host/tcp/port[/ws|/wss] at the start of `c`; the reason when it is not. */
function transportReason(c: readonly Component[], dialing: boolean): string | undefined {
  const [host, tcp, ws] = c;
  if (!host || !HOSTS.has(host.name)) return `must start with /ip4, /ip6${dialing ? ' or /dns4' : ''} (got /${host?.name ?? ''})`;
  if (!dialing && host.name.startsWith('dns')) return 'must listen on an IP address (/ip4 or /ip6), not a DNS name';
  if (tcp?.name !== 'tcp') return 'must name a TCP port (/tcp/PORT, optionally followed by /ws)';
  if (ws && ws.name !== 'ws' && ws.name !== 'wss' && ws.name !== 'p2p') return `uses /${ws.name}, which an edge does not speak (TCP or WebSockets: /tcp/PORT or /tcp/PORT/ws)`;
  return undefined;
}

/** A p2p.listen entry: /ip4/ADDR/tcp/PORT or /ip4/ADDR/tcp/PORT/ws (ip6 too), without /p2p. */
export function listenAddrReason(text: string): string | undefined {
  const c = components(text);
  if (typeof c === 'string') return c;
  if (c.some((x) => x.name === 'p2p')) return 'must not name a peer id (/p2p/…): the node listens with its own';
  const reason = transportReason(c, false);
  if (reason) return reason;
  if (c.length > 3 || (c.length === 3 && c[2]!.name !== 'ws')) return 'must be /ip4/ADDR/tcp/PORT or /ip4/ADDR/tcp/PORT/ws';
  return undefined;
}

/** A bootstrap peer: a dialable TCP or WebSockets multiaddr that ends in /p2p/<peer id>. */
export function bootstrapAddrReason(text: string): string | undefined {
  const c = components(text);
  if (typeof c === 'string') return c;
  const last = c[c.length - 1];
  if (last?.name !== 'p2p' || !last.value) return `must end in /p2p/<peer id> (the peer's id, as /api/sharechain lists in "listen"), such as ${BOOTSTRAP_EXAMPLE}`;
  try {
    peerIdFromString(last.value);
  } catch {
    return `ends in /p2p/${last.value}, which is not a libp2p peer id`;
  }
  if (c.filter((x) => x.name === 'p2p').length > 1 || c.some((x) => x.name === 'p2p-circuit')) return 'must be a direct address of the peer (no relay hops)';
  return transportReason(c, true);
}

/** The listen multiaddrs of p2p config: `listen` when given, else TCP on host:port and WebSockets on host:port+1. */
export function p2pListenAddrs(p2p: { readonly host: string; readonly port: number; readonly listen: readonly string[] }): string[] {
  if (p2p.listen.length) return [...p2p.listen];
  const host = p2p.host === 'localhost' ? '127.0.0.1' : p2p.host;
  const family = isIPv6(host) ? 'ip6' : 'ip4';
  return [`/${family}/${host}/tcp/${p2p.port}`, `/${family}/${host}/tcp/${p2p.port === 0 ? 0 : p2p.port + 1}/ws`];
}

/** p2p.host (or --host) as the default listeners need it: an IP address, or localhost. */
export function p2pHostReason(host: string): string | undefined {
  return host === 'localhost' || isIP(host) ? undefined : 'must be an IP address such as 127.0.0.1 or 0.0.0.0 (libp2p listens on /ip4 or /ip6 addresses; p2p.listen takes full multiaddrs)';
}

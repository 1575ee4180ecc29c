/** What a connection runs over, by its remote multiaddr: what `otedama node peers` and a page's network view show. */
export function transportOf(addr: string): string {
  // A WebRTC connection set up through a relay names the circuit too: it is WebRTC.
  if (addr.includes('/webrtc')) return 'webrtc';
  if (addr.includes('/p2p-circuit')) return 'relay';
  if (/\/wss?(\/|$)/.test(addr)) return 'websockets';
  return 'tcp';
}

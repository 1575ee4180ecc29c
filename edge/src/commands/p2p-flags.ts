/** The flags of `otedama pool` that configure the libp2p node (p2p section of the config). */
import type { FlagSpec, FlagValues } from '../cli-args.ts';
import type { EdgeConfig } from '../config/config.ts';
import { CliUsageError } from '../errors.ts';
import { bootstrapAddrReason } from '../p2p/multiaddrs.ts';

export const P2P_FLAGS: readonly FlagSpec[] = [
  { name: 'p2p-port', type: 'integer', min: 0, max: 65534, help: 'libp2p TCP port; WebSockets listens on the next one (default 4733; 0 = any free ports)', metavar: 'PORT' },
  { name: 'bootstrap', type: 'string', repeatable: true, help: 'a peer to dial at start, /ip4/ADDR/tcp/PORT/p2p/PEER_ID (repeat for more; adds to p2p.bootstrap_nodes)', metavar: 'MULTIADDR' },
  { name: 'p2p', type: 'boolean', help: 'run the libp2p node (--no-p2p: a pool of one edge that gossips nothing)' },
];

export function applyP2pFlags(config: EdgeConfig, f: FlagValues): void {
  if (f['p2p-port'] !== undefined) config.p2p.port = Number(f['p2p-port']);
  if (f.p2p !== undefined) config.p2p.enabled = Boolean(f.p2p);
  const extra = (f.bootstrap as string[] | undefined) ?? [];
  for (const addr of extra) {
    const reason = bootstrapAddrReason(addr);
    if (reason) throw new CliUsageError(`--bootstrap ${reason} (got "${addr}")`);
  }
  config.p2p.bootstrap = [...new Set([...config.p2p.bootstrap, ...extra])];
}

/**
 * The protocols browsers share with edges (peer-protocols.ts) must bundle for a browser: nothing
 * reachable from that module may import node:*, a Node-only package or the edge's I/O.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Packages that exist only for Node (sockets, DHT server, databases, HTTP server). */
const NODE_ONLY = [/^node:/, /^@libp2p\/tcp/, /^@libp2p\/kad-dht/, /^@libp2p\/circuit-relay-v2$/, /^hono/, /^@hono\//, /^pg$/, /^better-sqlite3/, /^yaml$/];

function importsOf(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  return [...code.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]!).concat([...code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]!));
}

describe('peer protocols for browsers', () => {
  it('reach no Node-only module', () => {
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of importsOf(file)) {
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
        else if (NODE_ONLY.some((p) => p.test(spec))) offenders.push(`${file.slice(HERE.length + 1)} imports ${spec}`);
      }
    };
    visit(join(HERE, 'peer-protocols.ts'));
    expect(seen.size).toBeGreaterThan(8);
    expect(offenders).toEqual([]);
  });
});

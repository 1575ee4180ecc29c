import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { P2pKeyError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { loadOrCreateNodeKey, nodeKeyPath } from './node-key.ts';
import { emptyChainHost, startTestNode } from './p2p-test-kit.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'otedama-key-'));
  dirs.push(d);
  return d;
}

const chain = emptyChainHost('pool A');

describe('p2p node key', () => {
  it('is created once with 0600 permissions and keeps the peer id across restarts', async () => {
    const dir = dataDir();
    const first = await loadOrCreateNodeKey(dir);
    expect(first.created).toBe(true);
    expect(statSync(nodeKeyPath(dir)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'p2p')).mode & 0o777).toBe(0o700);
    const a = await startTestNode(chain, { privateKey: first.privateKey });
    const id = a.peerId;
    await a.stop();
    const second = await loadOrCreateNodeKey(dir);
    expect(second.created).toBe(false);
    const b = await startTestNode(chain, { privateKey: second.privateKey });
    expect(b.peerId).toBe(id);
    expect(peerIdFromPrivateKey(second.privateKey).toString()).toBe(id);
    await b.stop();
    await b.stop(); // idempotent
  });

  it('a corrupt key file is an error that names it and says what to do; it is never overwritten', async () => {
    const dir = dataDir();
    await loadOrCreateNodeKey(dir);
    writeFileSync(nodeKeyPath(dir), 'not a key');
    const err = await loadOrCreateNodeKey(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(P2pKeyError);
    expect((err as P2pKeyError).reason).toMatch(new RegExp(`^the p2p node key ${nodeKeyPath(dir)} is not a libp2p private key .*move it away to start with a new peer id`));
    expect(readFileSync(nodeKeyPath(dir), 'utf8')).toBe('not a key');
  });

  it('warns when the key is readable by others', async () => {
    const dir = dataDir();
    const { privateKey } = await loadOrCreateNodeKey(dir);
    chmodSync(nodeKeyPath(dir), 0o644);
    const lines: string[] = [];
    const again = await loadOrCreateNodeKey(dir, createLogger({ format: 'json', write: (l) => lines.push(l) }));
    expect(again.privateKey.equals(privateKey)).toBe(true);
    expect(lines.join('\n')).toMatch(/p2p node key is readable by other users; chmod 600 it/);
  });
});

/**
 * The node's identity: an Ed25519 key kept in `<dataDir>/p2p/node.key` (libp2p's protobuf
 * encoding), created on first start with 0600 permissions, so the peer id (and every
 * `/p2p/<peer id>` address other edges bootstrap from) survives restarts. A file that is not a
 * key stops the edge with the path and what to do; it is never replaced silently, since that
 * would change the peer id under every operator who lists it.
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { P2pKeyError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** Owner read/write only: the key is the node's identity. */
const KEY_FILE_MODE = 0o600;
const KEY_DIR_MODE = 0o700;

export function nodeKeyPath(dataDir: string): string {
  return join(dataDir, 'p2p', 'node.key');
}

export interface NodeKey {
  readonly privateKey: PrivateKey;
  readonly path: string;
  /** True when this start created the key (a new peer id). */
  readonly created: boolean;
}

export async function loadOrCreateNodeKey(dataDir: string, logger?: Logger): Promise<NodeKey> {
  const path = nodeKeyPath(dataDir);
  let bytes: Uint8Array | undefined;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new P2pKeyError(path, `cannot read the p2p node key ${path}: ${code === 'EACCES' ? 'permission denied' : (err as Error).message}`, { cause: err });
  }
  if (bytes) {
    let privateKey: PrivateKey;
    try {
      privateKey = privateKeyFromProtobuf(bytes);
    } catch (err) {
      throw new P2pKeyError(
        path,
        `the p2p node key ${path} is not a libp2p private key (${(err as Error).message}); restore it from a backup, or move it away to start with a new peer id (peers that bootstrap from the old one must be told)`,
        { cause: err },
      );
    }
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) logger?.warn('p2p node key is readable by other users; chmod 600 it', { path, mode: `0${mode.toString(8)}` });
    return { privateKey, path, created: false };
  }
  const privateKey = await generateKeyPair('Ed25519');
  try {
    mkdirSync(join(dataDir, 'p2p'), { recursive: true, mode: KEY_DIR_MODE });
    // Written aside and renamed: a crash never leaves half a key where the next start reads it.
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, privateKeyToProtobuf(privateKey), { mode: KEY_FILE_MODE });
    chmodSync(tmp, KEY_FILE_MODE);
    renameSync(tmp, path);
  } catch (err) {
    throw new P2pKeyError(path, `cannot write the p2p node key ${path}: ${(err as Error).message}`, { cause: err });
  }
  return { privateKey, path, created: true };
}

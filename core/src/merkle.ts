/** Merkle roots: from a Stratum branch, and from a full list of transaction ids. */
import { concatBytes } from './hex.ts';
import { sha256d } from './sha256.ts';

/** Folds h = sha256d(h | branch[i]); all hashes in internal byte order. */
export function merkleRootFromBranch(leaf: Uint8Array, branch: readonly Uint8Array[]): Uint8Array {
  let h = leaf;
  for (const b of branch) h = sha256d(concatBytes(h, b));
  return h;
}

/** Merkle root of txids (internal order), Bitcoin's rule: an odd level duplicates its last hash. */
export function merkleRoot(txids: readonly Uint8Array[]): Uint8Array {
  if (txids.length === 0) throw new RangeError('merkle root of no transactions');
  let level = txids.slice();
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i]!;
      const right = level[i + 1] ?? left;
      next.push(sha256d(concatBytes(left, right)));
    }
    level = next;
  }
  return level[0]!;
}

/**
 * The Stratum merkle branch for the coinbase (leaf 0) given the other txids in block order:
 * the sibling at each level on the way from leaf 0 to the root.
 */
export function coinbaseMerkleBranch(otherTxids: readonly Uint8Array[]): Uint8Array[] {
  const branch: Uint8Array[] = [];
  // Level 0 holds a placeholder for the coinbase at index 0; only siblings of index 0 matter.
  let level: (Uint8Array | null)[] = [null, ...otherTxids];
  while (level.length > 1) {
    branch.push(level[1] ?? (level[0] as Uint8Array));
    const next: (Uint8Array | null)[] = [null];
    for (let i = 2; i < level.length; i += 2) {
      const left = level[i]!;
      const right = level[i + 1] ?? left;
      next.push(sha256d(concatBytes(left, right)));
    }
    level = next;
  }
  return branch;
}

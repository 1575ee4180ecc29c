/**
 * Simnet's block file: `<dataDir>/simnet/blocks.jsonl`, append-only, one JSON line per block
 * (`{"height":n,"hash":"<display hex>","block":"<serialized block hex>"}`, side branches
 * included, each after its parent) or per validity mark (`{"invalidate":"<hash>"}`,
 * `{"reconsider":"<hash>"}`: invalidateblock and reconsiderblock, which bitcoind keeps in its
 * block index), fsynced before it is acknowledged. On open, a last line without its newline (a
 * write torn by a crash) is dropped with a warning and cut from the file; anything else
 * unreadable is a SimnetStoreError that names the line.
 */
import { mkdir, open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { SimnetStoreError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export const BLOCKS_FILE = 'blocks.jsonl';

export interface StoredBlock {
  readonly height: number;
  /** Block hash, display hex. */
  readonly hash: string;
  /** Serialized block, hex. */
  readonly block: string;
}

/** A validity mark: invalidateblock / reconsiderblock of a stored block. */
export interface StoredMark {
  readonly mark: 'invalidate' | 'reconsider';
  /** Block hash, display hex. */
  readonly hash: string;
}

export type StoredRecord = StoredBlock | StoredMark;

export function isStoredMark(r: StoredRecord): r is StoredMark {
  return 'mark' in r;
}

const MARKS = ['invalidate', 'reconsider'] as const;

export interface SimnetStoreOptions {
  /** The simnet folder, `<dataDir>/simnet`. */
  readonly dir: string;
  readonly logger: Logger;
}

function parseLine(line: string, lineNo: number, file: string): StoredRecord {
  const fail = (why: string) => new SimnetStoreError(`${file} line ${lineNo}: ${why}; move the file away to start a new simnet chain`);
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw fail('is not JSON');
  }
  const mark = v && typeof v === 'object' ? MARKS.find((m) => m in (v as object)) : undefined;
  if (mark) {
    const hash = (v as Record<string, unknown>)[mark];
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash) || Object.keys(v as object).length !== 1) throw fail(`is not a validity mark ({"${mark}":"<block hash>"})`);
    return { mark, hash };
  }
  const o = v as Partial<StoredBlock> | null;
  if (!o || typeof o !== 'object' || !Number.isSafeInteger(o.height) || typeof o.hash !== 'string' || typeof o.block !== 'string') {
    throw fail('is not a stored block ({"height","hash","block"}) or a validity mark ({"invalidate"|"reconsider":"<block hash>"})');
  }
  if (!/^[0-9a-f]{64}$/.test(o.hash) || !/^([0-9a-f]{2})+$/.test(o.block)) throw fail('holds malformed hex');
  return { height: o.height!, hash: o.hash, block: o.block };
}

export class SimnetStore {
  readonly file: string;
  private readonly log: Logger;
  private handle: FileHandle | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly options: SimnetStoreOptions) {
    this.file = join(options.dir, BLOCKS_FILE);
    this.log = options.logger.forComponent('edge:simnet-store');
  }

  /** Reads every stored record (oldest first) and opens the file for appending. */
  async open(): Promise<StoredRecord[]> {
    if (this.handle) throw new SimnetStoreError(`${this.file} is already open`);
    try {
      await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new SimnetStoreError(`cannot create ${this.options.dir}: ${(err as Error).message}`, { cause: err });
    }
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new SimnetStoreError(`cannot read ${this.file}: ${(err as Error).message}`, { cause: err });
      }
    }
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) {
      this.log.warn('dropping a torn last line in the simnet block file (an interrupted write)', {
        file: this.file,
        bytes: Buffer.byteLength(text.slice(end)),
      });
      await truncate(this.file, Buffer.byteLength(text.slice(0, end)));
      text = text.slice(0, end);
    }
    const records: StoredRecord[] = [];
    const lines = text.split('\n');
    let blocks = 0;
    for (let i = 0; i < lines.length - 1; i++) {
      const stored = parseLine(lines[i]!, i + 1, this.file);
      // A block's parent is stored before it, so no height can pass the number of blocks before it.
      if (!isStoredMark(stored) && (stored.height > blocks || (blocks === 0 && stored.height !== 0))) {
        throw new SimnetStoreError(`${this.file} line ${i + 1}: holds height ${stored.height} after ${blocks} blocks; move the file away to start a new simnet chain`);
      }
      if (!isStoredMark(stored)) blocks++;
      records.push(stored);
    }
    this.handle = await open(this.file, 'a', 0o600);
    return records;
  }

  /** Appends one block or validity mark and waits until it is on disk. Appends are serialized. */
  append(record: StoredRecord): Promise<void> {
    const handle = this.handle;
    if (!handle) return Promise.reject(new SimnetStoreError(`${this.file} is not open`));
    const line = JSON.stringify(isStoredMark(record) ? { [record.mark]: record.hash } : { height: record.height, hash: record.hash, block: record.block }) + '\n';
    const write = this.writing.then(async () => {
      await handle.appendFile(line, 'utf8');
      await handle.datasync();
    });
    this.writing = write.catch(() => undefined);
    return write.catch((err: unknown) => {
      throw new SimnetStoreError(`cannot write ${this.file}: ${(err as Error).message}`, { cause: err });
    });
  }

  /** Idempotent. */
  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (!handle) return;
    await this.writing;
    await handle.close();
  }
}

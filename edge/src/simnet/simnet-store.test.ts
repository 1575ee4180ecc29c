import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimnetStoreError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { BLOCKS_FILE, SimnetStore } from './simnet-store.ts';

const H = (n: number) => n.toString(16).padStart(64, '0');
const line = (height: number) => JSON.stringify({ height, hash: H(height), block: 'ab'.repeat(10) }) + '\n';

describe('SimnetStore', () => {
  let dir: string;
  const warnings: string[] = [];
  const logger = createLogger({ level: 'warn', write: (l) => warnings.push(l) });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'otedama-store-'));
    warnings.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the folder, appends durably and reads back in order', async () => {
    const store = new SimnetStore({ dir: join(dir, 'simnet'), logger });
    expect(await store.open()).toEqual([]);
    await Promise.all([0, 1, 2].map((h) => store.append({ height: h, hash: H(h), block: 'ab'.repeat(10) })));
    await store.close();
    await store.close();
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    const again = new SimnetStore({ dir: join(dir, 'simnet'), logger });
    expect((await again.open()).map((b) => ('height' in b ? b.height : b.mark))).toEqual([0, 1, 2]);
    await again.close();
  });

  it('drops a torn last line with a warning and cuts it from the file', async () => {
    const store = new SimnetStore({ dir, logger });
    writeFileSync(store.file, line(0) + line(1) + '{"height":2,"hash":"00');
    expect((await store.open()).length).toBe(2);
    expect(warnings.join('\n')).toMatch(/torn last line/);
    await store.append({ height: 2, hash: H(2), block: 'cd' });
    await store.close();
    expect(readFileSync(store.file, 'utf8')).toBe(line(0) + line(1) + JSON.stringify({ height: 2, hash: H(2), block: 'cd' }) + '\n');
  });

  it('keeps side-branch blocks and validity marks in order', async () => {
    writeFileSync(join(dir, BLOCKS_FILE), line(0) + line(1) + JSON.stringify({ height: 1, hash: H(7), block: 'ef' }) + '\n');
    const store = new SimnetStore({ dir, logger });
    expect((await store.open()).map((r) => ('mark' in r ? r.mark : r.height))).toEqual([0, 1, 1]);
    await store.append({ mark: 'invalidate', hash: H(1) });
    await store.append({ mark: 'reconsider', hash: H(1) });
    await store.close();
    const again = new SimnetStore({ dir, logger });
    expect((await again.open()).slice(3)).toEqual([{ mark: 'invalidate', hash: H(1) }, { mark: 'reconsider', hash: H(1) }]);
    await again.close();
  });

  it.each([
    ['a line that is not JSON', line(0) + 'garbage\n' + line(2), /line 2: is not JSON/],
    ['a line of the wrong shape', line(0) + '{"height":"1"}\n', /line 2: is not a stored block/],
    ['bad hex', line(0) + JSON.stringify({ height: 1, hash: 'zz', block: 'ab' }) + '\n', /line 2: holds malformed hex/],
    ['a height gap', line(0) + line(2), /line 2: holds height 2 after 1 blocks/],
    ['a first block that is not the genesis block', line(1), /line 1: holds height 1 after 0 blocks/],
    ['a malformed validity mark', line(0) + '{"invalidate":"zz"}\n', /line 2: is not a validity mark/],
    ['a validity mark with extra fields', line(0) + JSON.stringify({ reconsider: H(0), height: 1 }) + '\n', /line 2: is not a validity mark/],
  ])('refuses %s, naming the line', async (_name, text, reason) => {
    const store = new SimnetStore({ dir, logger });
    writeFileSync(store.file, text);
    await expect(store.open()).rejects.toThrow(reason);
    await expect(store.open()).rejects.toBeInstanceOf(SimnetStoreError);
  });

  it('refuses to append before open', async () => {
    const store = new SimnetStore({ dir, logger });
    await expect(store.append({ height: 0, hash: H(0), block: 'ab' })).rejects.toThrow(/not open/);
    appendFileSync(store.file, line(0));
    await store.open();
    await expect(store.open()).rejects.toThrow(/already open/);
    await store.close();
  });
});

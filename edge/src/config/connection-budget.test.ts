import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIN_HTTP_CONNECTIONS, RESERVED_DESCRIPTORS, connectionBudget, processConnectionBudget, readDescriptorLimit } from './connection-budget.ts';

describe('connection budget', () => {
  it('keeps a reserve, gives HTTP a fifth of the rest and Stratum the remainder, always below the limit', () => {
    expect(connectionBudget(20_000)).toMatchObject({ descriptorLimit: 20_000, reserved: RESERVED_DESCRIPTORS, http: 3897, stratum: 15_591 });
    expect(connectionBudget(1024)).toMatchObject({ reserved: 256, http: 153, stratum: 615 });
    expect(connectionBudget(512)).toMatchObject({ reserved: 128, http: 76, stratum: 308 });
    for (const limit of [64, 100, 256, 1024, 65_536, 1_048_576]) {
      const b = connectionBudget(limit);
      expect(b.reserved + b.http + b.stratum).toBe(limit);
      expect(b.http).toBeGreaterThanOrEqual(MIN_HTTP_CONNECTIONS);
      expect(b.stratum).toBeGreaterThan(0);
    }
  });

  it("reads this process's soft limit", () => {
    const { limit, source } = readDescriptorLimit();
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) expect({ limit, source }).toEqual({ limit: Math.min(Number(m[1]), 1_048_576), source: '/proc/self/limits' });
    expect(processConnectionBudget().descriptorLimit).toBe(limit);
  });
});

import { describe, expect, it } from 'vitest';
import { RedialPlan } from './redial-plan.ts';

describe('RedialPlan', () => {
  it('dials at once, backs off after failures, retries at once after a lost connection', () => {
    let now = 0;
    const plan = new RedialPlan(() => now, { baseMs: 1000, capMs: 8000 }, () => 0.999);
    plan.add('a');
    plan.add('b');
    expect(plan.due()).toEqual(['a', 'b']);
    expect(plan.due()).toEqual([]); // in flight
    plan.connected('a');
    expect(plan.failed('b')).toBeCloseTo(1000, -1);
    now = 500;
    expect(plan.due()).toEqual([]);
    now = 1000;
    expect(plan.due()).toEqual(['b']);
    expect(plan.failed('b')).toBeCloseTo(2000, -1);
    now = 3000;
    expect(plan.due()).toEqual(['b']);
    for (let i = 0; i < 6; i++) plan.failed('b');
    expect(plan.waitMs('b')).toBeLessThanOrEqual(8000);
    expect(plan.failures('b')).toBe(8);
    plan.lost('a');
    expect(plan.due()).toEqual(['a']);
    plan.connected('b');
    expect(plan.failures('b')).toBe(0);
    expect(plan.waitMs('b')).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { courtesyThrottle } from '@otedama/web/courtesy';
import { WIDGET_COURTESY } from './frame-miner.ts';

describe("the widget's courtesy (what the question and the well-known document promise)", () => {
  it('pauses while the tab is hidden and while the device runs on battery, at any charge', () => {
    expect(courtesyThrottle({ hidden: true }, WIDGET_COURTESY)).toEqual({ factor: 0, reason: 'tab hidden' });
    expect(courtesyThrottle({ hidden: false, battery: { charging: false, level: 0.95 } }, WIDGET_COURTESY).factor).toBe(0);
    expect(courtesyThrottle({ hidden: false, battery: { charging: true, level: 0.5 } }, WIDGET_COURTESY)).toEqual({ factor: 1 });
  });
});

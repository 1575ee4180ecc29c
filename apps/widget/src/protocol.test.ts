import { describe, expect, it } from 'vitest';
import { envelope, MAX_FRAME_HEIGHT_PX, MAX_REASON_CHARS, PROTOCOL, readFrameMessage, readHostMessage } from './protocol.ts';

describe('the widget protocol', () => {
  it('reads back what each side posts', () => {
    expect(readHostMessage(envelope({ type: 'start' }))).toEqual({ type: 'start' });
    expect(readHostMessage(envelope({ type: 'stop' }))).toEqual({ type: 'stop' });
    expect(readFrameMessage(envelope({ type: 'state', state: 'mining' }))).toEqual({ type: 'state', state: 'mining' });
    expect(readFrameMessage(envelope({ type: 'state', state: 'error', reason: 'x' }))).toEqual({ type: 'state', state: 'error', reason: 'x' });
    expect(readFrameMessage(envelope({ type: 'size', height: 200 }))).toEqual({ type: 'size', height: 200 });
    expect(readFrameMessage(envelope({ type: 'hashrate', hashrate: 5e6, cpu: 5e6, gpu: 0 }))).toEqual({ type: 'hashrate', hashrate: 5e6, cpu: 5e6, gpu: 0 });
    expect(readFrameMessage(envelope({ type: 'shares', accepted: 3, rejected: 0, stale: 1 }))).toEqual({ type: 'shares', accepted: 3, rejected: 0, stale: 1 });
  });

  it('drops only the fields it knows (a forged extra such as consent: true never comes through)', () => {
    expect(readHostMessage({ protocol: PROTOCOL, v: 1, type: 'start', consent: true, autostart: 1 })).toEqual({ type: 'start' });
  });

  it.each([
    ['null', null],
    ['a string', 'start'],
    ['an array', [PROTOCOL, 1, 'start']],
    ['another protocol', { protocol: 'other', v: 1, type: 'start' }],
    ['another version', { protocol: PROTOCOL, v: 2, type: 'start' }],
    ['no type', { protocol: PROTOCOL, v: 1 }],
    ['an unknown type', { protocol: PROTOCOL, v: 1, type: 'consent' }],
    ['a frame message sent to the frame', envelope({ type: 'state', state: 'mining' })],
  ])('the frame ignores %s from the host', (_label, data) => {
    expect(readHostMessage(data)).toBeUndefined();
  });

  it.each([
    ['an unknown state', { type: 'state', state: 'hacked' }],
    ['a reason that is not text', { type: 'state', state: 'error', reason: 42 }],
    ['a reason too long', { type: 'state', state: 'error', reason: 'x'.repeat(MAX_REASON_CHARS + 1) }],
    ['a height over the most', { type: 'size', height: MAX_FRAME_HEIGHT_PX + 1 }],
    ['a negative height', { type: 'size', height: -1 }],
    ['a NaN hashrate', { type: 'hashrate', hashrate: NaN, cpu: 0, gpu: 0 }],
    ['a missing device rate', { type: 'hashrate', hashrate: 1, cpu: 1 }],
    ['a fractional share count', { type: 'shares', accepted: 1.5, rejected: 0, stale: 0 }],
    ['a negative share count', { type: 'shares', accepted: -1, rejected: 0, stale: 0 }],
    ['a host message sent to the host', { type: 'start' }],
  ])('the loader ignores %s from the frame', (_label, message) => {
    expect(readFrameMessage({ protocol: PROTOCOL, v: 1, ...message })).toBeUndefined();
  });
});

import { bytesToHex, gossipMessageId } from '@otedama/core';
import { describe, expect, it } from 'vitest';
import { gossipOptions } from './gossip-config.ts';

describe('gossipOptions', () => {
  const options = gossipOptions(new Uint8Array(32).fill(7));

  it('recognises copies of a message by its content id, the id gossipsub keys its seen cache by', () => {
    const share = new Uint8Array([1, 2, 3, 4]);
    const copyFromAnotherPeer = { data: share.slice(), topic: 't', from: new Uint8Array([9]), signature: new Uint8Array([8]) };
    expect(options.fastMsgIdFn!({ data: share, topic: 't' })).toBe(bytesToHex(gossipMessageId(share)));
    expect(options.fastMsgIdFn!(copyFromAnotherPeer)).toBe(options.fastMsgIdFn!({ data: share, topic: 't' }));
    expect(options.fastMsgIdFn!({ data: new Uint8Array([1, 2, 3, 5]), topic: 't' })).not.toBe(options.fastMsgIdFn!({ data: share, topic: 't' }));
  });
});

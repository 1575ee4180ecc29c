/** Every malformed flag of `otedama hash --algo kawpow`: a usage error (exit 2) naming the problem. */
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../cli-args.ts';
import { CliUsageError } from '../../errors.ts';
import { hashCommand } from '../../commands/hash.ts';
import { kawpowHashInput } from './hash.ts';

const ZERO_HASH = '0'.repeat(64);
const input = (...argv: string[]) => kawpowHashInput(parseArgs(argv, hashCommand.flags));

describe('otedama hash --algo kawpow flags', () => {
  it('reads a height, a header hash (with or without 0x) and a nonce (decimal or 0x-hex)', () => {
    expect(input('--height', '7500', '--header-hash', '0x' + 'ab'.repeat(32), '--nonce', '0xffffffffffffffff')).toEqual({ height: 7500, headerHash: new Uint8Array(32).fill(0xab), nonce: (1n << 64n) - 1n });
    expect(input('--height', '0', '--header-hash', ZERO_HASH, '--nonce', '18446744073709551615').nonce).toBe((1n << 64n) - 1n);
  });

  it.each([
    ['a header hash of 31 bytes', ['--height', '1', '--nonce', '1', '--header-hash', 'ab'.repeat(31)], /header hash must be 32 bytes/],
    ['a header hash of 33 bytes', ['--height', '1', '--nonce', '1', '--header-hash', 'ab'.repeat(33)], /header hash must be 32 bytes/],
    ['a header hash that is not hex', ['--height', '1', '--nonce', '1', '--header-hash', 'zz'.repeat(32)], /header hash/],
    ['a header hash of odd length', ['--height', '1', '--nonce', '1', '--header-hash', 'abc'], /odd number of hex digits/],
    ['a nonce beyond 64 bits', ['--height', '1', '--nonce', '18446744073709551616', '--header-hash', ZERO_HASH], /outside 0\.\.2\^64-1/],
    ['a nonce of 17 hex digits', ['--height', '1', '--nonce', '0x1' + '0'.repeat(16), '--header-hash', ZERO_HASH], /more than 16 hex digits/],
    ['a negative nonce', ['--height', '1', '--nonce', '-1', '--header-hash', ZERO_HASH], /neither decimal nor 0x-prefixed hex/],
    ['a nonce that is text', ['--height', '1', '--nonce', 'ten', '--header-hash', ZERO_HASH], /neither decimal nor 0x-prefixed hex/],
    ['a negative height', ['--height', '-1', '--nonce', '1', '--header-hash', ZERO_HASH], /block height -1 is negative/],
    ['a fractional height', ['--height', '1.5', '--nonce', '1', '--header-hash', ZERO_HASH], /--height must be a block height, a whole number \(got "1\.5"\)/],
    ['a height in hex', ['--height', '0x10', '--nonce', '1', '--header-hash', ZERO_HASH], /--height must be a block height/],
    ['a height beyond KawPow', ['--height', '999999999999', '--nonce', '1', '--header-hash', ZERO_HASH], /beyond the highest accepted height 244799999/],
    ['no height', ['--nonce', '1', '--header-hash', ZERO_HASH], /--algo kawpow needs --height/],
    ['no header hash or nonce', ['--height', '1'], /--algo kawpow needs --header-hash, --nonce/],
    ['a stray argument', ['--height', '1', '--nonce', '1', '--header-hash', ZERO_HASH, 'extra'], /unexpected argument "extra"/],
  ])('refuses %s', (_label, argv, why) => {
    expect(() => input(...argv)).toThrow(CliUsageError);
    expect(() => input(...argv)).toThrow(why);
  });
});

/**
 * Which of two browsers dials the other: exactly one per pair, so two pages never race to meet
 * each other through a relay (a second WebRTC setup beside the first only makes one of them fail).
 *
 * The dialer is picked by a hash of the pair, not by the order of the ids. A page only dials while
 * it holds fewer browser peers than it wants; under "the lower id dials", a newcomer whose
 * introductions all had lower ids than its own (always, for the highest id in the network) dialed
 * none of them, and they, already holding enough peers, never dialed it: it stayed without a
 * browser peer. With the pair's hash every page dials about half of any set of peers it is
 * introduced to, whatever its id, and the answering work of a burst of dials (a page's first
 * minute) is spread over the pages instead of falling on the highest id.
 */
import { sha256 } from '@otedama/core';

const encoder = new TextEncoder();

/** True when `self` is the one of the pair {self, peer} that dials (the same answer at both ends). */
export function dialsFirst(self: string, peer: string): boolean {
  if (self === peer) return false;
  const [low, high] = self < peer ? [self, peer] : [peer, self];
  const lowFirst = (sha256(encoder.encode(`${low}\n${high}`))[0]! & 1) === 0;
  return (lowFirst ? low : high) === self;
}

/** core's TypeScript KawPow pieces on the shared compliance suite (primitives and generator). */
import { describeKawpowCompliance } from '../../../test/kawpow-compliance.vitest.ts';
import { datasetBytes, epochSeedHash, lightCacheBytes } from './epoch.ts';
import { keccakF800 } from './keccak.ts';
import { Kiss99 } from './kiss99.ts';
import { kawpowFinalHash, kawpowSeedWords, progpowInitMix } from './progpow.ts';
import { progpowMixRngState, randomMath } from './program.ts';

describeKawpowCompliance({
  name: 'core TypeScript reference',
  primitives: {
    keccakF800(state) {
      const s = state.slice();
      keccakF800(s);
      return s;
    },
    seedWords: kawpowSeedWords,
    finalHashFromMix: kawpowFinalHash,
    initMix: progpowInitMix,
    randomMath,
    kiss99(state, count) {
      const k = new Kiss99(state);
      return Array.from({ length: count }, () => k.next());
    },
  },
  generator: {
    lightCacheBytes,
    datasetBytes,
    seedHash: epochSeedHash,
    programDraws(period) {
      const s = progpowMixRngState(period);
      return { dstSeq: s.dstSeq, srcSeq: s.srcSeq, kiss: s.rng.state() };
    },
  },
});

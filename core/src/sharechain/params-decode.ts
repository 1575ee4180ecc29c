/**
 * The inverse of encodePoolParams: a peer that is told a pool's parameters as bytes (a browser
 * reads them from its edge's /api/sharechain) rebuilds them, checks them with validatePoolParams,
 * and compares their pool id with the one it was told, so it never validates shares by rules
 * other than the pool's. docs/sharechain.md §2 has the layout.
 */
import { utf8 } from '@scure/base';
import { PoolParamsError, ShareDecodeError } from '../errors.ts';
import { bytesEqual } from '../hex.ts';
import { ShareReader } from './bytes.ts';
import { POOL_PARAMS_ENCODING_VERSION, POOL_PARAMS_MAGIC, validatePoolParams, type PoolParams } from './params.ts';

/** Longest encoding: the fixed fields and a 32-byte algorithm name. */
const MAX_POOL_PARAMS_BYTES = 160;

/** Decodes and validates pool parameters; throws PoolParamsError naming what is wrong. */
export function decodePoolParams(bytes: Uint8Array): PoolParams {
  if (!(bytes instanceof Uint8Array) || bytes.length > MAX_POOL_PARAMS_BYTES) {
    throw new PoolParamsError('(encoding)', `pool parameters are at most ${MAX_POOL_PARAMS_BYTES} bytes`);
  }
  const r = new ShareReader(bytes);
  try {
    if (!bytesEqual(r.view(POOL_PARAMS_MAGIC.length, 'magic'), POOL_PARAMS_MAGIC)) throw new PoolParamsError('(encoding)', 'not Otedama pool parameters (wrong magic)');
    const encoding = r.u8('encoding version');
    if (encoding !== POOL_PARAMS_ENCODING_VERSION) throw new PoolParamsError('(encoding)', `encoding version ${encoding}; this build reads ${POOL_PARAMS_ENCODING_VERSION}`);
    const shareFormatVersion = r.u8('shareFormatVersion');
    let algorithm: string;
    try {
      algorithm = utf8.encode(r.bytesU8('algorithm', 1, 32));
    } catch (err) {
      if (err instanceof ShareDecodeError) throw err;
      throw new PoolParamsError('algorithm', 'the name is not UTF-8');
    }
    const params: PoolParams = {
      shareFormatVersion,
      algorithm,
      genesisHash: r.view(32, 'genesisHash').slice(),
      shareIntervalMs: r.u32('shareIntervalMs'),
      asertHalfLifeMs: r.u32('asertHalfLifeMs'),
      initialShareBits: r.u32('initialShareBits'),
      maxShareBits: r.u32('maxShareBits'),
      maxTargetMultiple: r.u16('maxTargetMultiple'),
      windowSpread: r.u16('windowSpread'),
      maxWindowShares: r.u32('maxWindowShares'),
      windowMaxAgeMs: r.u32('windowMaxAgeMs'),
      maxUncles: r.u8('maxUncles'),
      maxUncleDepth: r.u8('maxUncleDepth'),
      uncleCreditBp: r.u16('uncleCreditBp'),
      finderBonusBp: r.u16('finderBonusBp'),
      maxPayoutOutputs: r.u16('maxPayoutOutputs'),
      minPayoutSats: r.u64('minPayoutSats'),
      dustLimitSats: r.u64('dustLimitSats'),
      maxFutureMs: r.u32('maxFutureMs'),
    };
    if (r.remaining !== 0) throw new PoolParamsError('(encoding)', `${r.remaining} unexpected bytes after the last field`);
    return validatePoolParams(params);
  } catch (err) {
    if (err instanceof ShareDecodeError) throw new PoolParamsError(err.field, err.reason.replace(/^share [^:]+: /, ''));
    throw err;
  }
}

/**
 * Typed errors of the core domain. Each has a stable `name` and a `reason` a user can act on;
 * `code` is a stable machine-readable tag that CLIs and protocol layers map to their own
 * error formats (exit codes, Stratum error arrays, HTTP statuses).
 */
export class OtedamaError extends Error {
  override readonly name: string = 'OtedamaError';
  readonly code: string;
  readonly reason: string;

  constructor(code: string, reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.code = code;
    this.reason = reason;
  }
}

/** A hex string that is not even-length hex, or not the expected number of bytes. */
export class InvalidHexError extends OtedamaError {
  override readonly name = 'InvalidHexError';
  constructor(reason: string) {
    super('invalid-hex', reason);
  }
}

/** A block header that is not exactly 80 bytes, or a header field out of range. */
export class InvalidHeaderError extends OtedamaError {
  override readonly name = 'InvalidHeaderError';
  constructor(reason: string) {
    super('invalid-header', reason);
  }
}

/** A target of zero, a target of 2^256 or more, a non-positive difficulty, bad compact bits. */
export class InvalidTargetError extends OtedamaError {
  override readonly name = 'InvalidTargetError';
  constructor(reason: string) {
    super('invalid-target', reason);
  }
}

/** A nonce range that is empty, inverted, not made of integers, or crosses 2^32. */
export class NonceRangeError extends OtedamaError {
  override readonly name = 'NonceRangeError';
  constructor(reason: string) {
    super('invalid-nonce-range', reason);
  }
}

/** An algorithm name that is not in the registry. */
export class UnknownAlgorithmError extends OtedamaError {
  override readonly name = 'UnknownAlgorithmError';
  constructor(readonly algorithm: string, known: readonly string[]) {
    super('unknown-algorithm', `unknown algorithm "${algorithm}" (known: ${known.join(', ')})`);
  }
}

/** An engine that cannot run here (no WebGPU adapter, no SIMD, a lost device). */
export class EngineUnavailableError extends OtedamaError {
  override readonly name = 'EngineUnavailableError';
  constructor(readonly engine: string, reason: string, options?: { cause?: unknown }) {
    super('engine-unavailable', `${engine}: ${reason}`, options);
  }
}

/** A payout address that does not decode, or belongs to another network than the chain's. */
export class InvalidAddressError extends OtedamaError {
  override readonly name = 'InvalidAddressError';
  constructor(readonly address: string, reason: string) {
    super('invalid-address', reason);
  }
}

/** Bytes that are not a well-formed Bitcoin transaction or block. */
export class TxDecodeError extends OtedamaError {
  override readonly name = 'TxDecodeError';
  constructor(reason: string) {
    super('invalid-tx', reason);
  }
}

/** A getblocktemplate result with a missing or malformed field; the reason names the field. */
export class InvalidTemplateError extends OtedamaError {
  override readonly name = 'InvalidTemplateError';
  constructor(readonly field: string, reason: string) {
    super('invalid-template', `getblocktemplate field "${field}": ${reason}`);
  }
}

/**
 * Stratum V1 error codes (the de-facto set every pool and miner uses). A Stratum error
 * formats itself as the JSON-RPC error array `[code, "message", null]`.
 */
export const STRATUM_ERROR = {
  OTHER: 20,
  JOB_NOT_FOUND: 21,
  DUPLICATE_SHARE: 22,
  LOW_DIFFICULTY: 23,
  UNAUTHORIZED: 24,
  NOT_SUBSCRIBED: 25,
} as const;
export type StratumErrorCode = (typeof STRATUM_ERROR)[keyof typeof STRATUM_ERROR];

/** A Stratum message or parameter that is malformed or not allowed now; `stratumCode` goes on the wire. */
export class StratumError extends OtedamaError {
  override readonly name = 'StratumError';
  constructor(readonly stratumCode: StratumErrorCode, reason: string) {
    super('stratum', reason);
  }

  /** The JSON-RPC error array minerd, cpuminer-opt and Bitaxe read (`error[1]` is shown to the user). */
  toStratumError(): [number, string, null] {
    return [this.stratumCode, this.reason, null];
  }
}

/**
 * Bytes that are not a well-formed share of the sharechain: truncated, a field over its hard
 * limit, an unknown format version, trailing bytes. `field` names the offending field (stable,
 * for logs and peer scoring); `reason` says what is wrong with it.
 */
export class ShareDecodeError extends OtedamaError {
  override readonly name = 'ShareDecodeError';
  constructor(readonly field: string, reason: string) {
    super('invalid-share-encoding', `share ${field}: ${reason}`);
  }
}

/** Pool parameters that cannot make a pool (a share interval of zero, a dust limit above the minimum payout, ...). */
export class PoolParamsError extends OtedamaError {
  override readonly name = 'PoolParamsError';
  constructor(readonly field: string, reason: string) {
    super('invalid-pool-params', `pool parameter ${field}: ${reason}`);
  }
}

/** A sharechain call that cannot be answered: an unknown share id, a malformed payee list or reward. */
export class SharechainError extends OtedamaError {
  override readonly name = 'SharechainError';
  constructor(reason: string) {
    super('sharechain', reason);
  }
}

/** A header whose proof of work cannot be verified by its algorithm (KawPow: a mix hash that does not match). */
export class PowVerificationError extends OtedamaError {
  override readonly name = 'PowVerificationError';
  constructor(readonly algorithm: string, reason: string) {
    super('pow-unverifiable', `${algorithm}: ${reason}`);
  }
}

/**
 * A wallet key or key file that cannot be used: a private key out of secp256k1's range, a WIF
 * that does not decode, a malformed or tampered backup, a wrong passphrase. `field` names what.
 */
export class WalletError extends OtedamaError {
  override readonly name = 'WalletError';
  constructor(readonly field: string, reason: string) {
    super('wallet', reason);
  }
}

/** A block height (or the epoch it falls in) that is not an integer, negative, or beyond what the algorithm or a configured cap allows. */
export class InvalidHeightError extends OtedamaError {
  override readonly name = 'InvalidHeightError';
  constructor(reason: string) {
    super('invalid-height', reason);
  }
}

/** A KawPow mix hash that is not 32 bytes (or not hex), as submitted by a miner or read from a block. */
export class InvalidMixHashError extends OtedamaError {
  override readonly name = 'InvalidMixHashError';
  constructor(reason: string) {
    super('invalid-mix-hash', reason);
  }
}

/** A KawPow dataset size (in 1024-bit items) that is not an integer in 2..the epoch's real size. */
export class InvalidDatasetSizeError extends OtedamaError {
  override readonly name = 'InvalidDatasetSizeError';
  constructor(reason: string) {
    super('invalid-dataset-size', reason);
  }
}

/**
 * A peer-to-peer wire message (handshake, sync request or response) that is malformed: too
 * short, too long, an unknown type, a count above its limit. `reason` names the field; the
 * receiver answers with an error and charges the sender.
 */
export class P2pCodecError extends OtedamaError {
  override readonly name = 'P2pCodecError';
  constructor(reason: string) {
    super('p2p-codec', reason);
  }
}

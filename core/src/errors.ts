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

/** PPLNS input that cannot be accounted: a negative reward, a fee outside 0..100, a bad share. */
export class PplnsError extends OtedamaError {
  override readonly name = 'PplnsError';
  constructor(readonly field: string, reason: string) {
    super('invalid-pplns', reason);
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

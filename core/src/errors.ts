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

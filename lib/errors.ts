// The flat set of errors callmask raises. Each has a stable `code`; the wire codes are the
// ones a client can see in an `error` frame and are listed in README.md (a test checks).
export const wireErrorCodes = {
  noHello: 'CALLMASK_ERR_NO_HELLO',
  badKey: 'CALLMASK_ERR_BAD_KEY',
  malformed: 'CALLMASK_ERR_MALFORMED',
  schema: 'CALLMASK_ERR_SCHEMA',
  tooLarge: 'CALLMASK_ERR_TOO_LARGE',
  unavailable: 'CALLMASK_ERR_UNAVAILABLE',
  backpressure: 'CALLMASK_ERR_BACKPRESSURE',
  rateLimited: 'CALLMASK_ERR_RATE_LIMITED',
  tooManySessions: 'CALLMASK_ERR_TOO_MANY_SESSIONS',
  shuttingDown: 'CALLMASK_ERR_SHUTTING_DOWN',
  sessionReplaced: 'CALLMASK_ERR_SESSION_REPLACED',
  keyRevoked: 'CALLMASK_ERR_KEY_REVOKED',
} as const
export type WireErrorCode = (typeof wireErrorCodes)[keyof typeof wireErrorCodes]

/** WebSocket close codes (4000-4999 is the application range). */
export const closeCodes = {
  /** No valid hello within the hello timeout, or another frame came first. */
  noHello: 4001,
  /** The ingest key is unknown or the origin is not allowed for it. */
  badKey: 4003,
  /** The tenant already has its maximum of open sessions. */
  tooManySessions: 4029,
  /** A newer connection sent a hello for the same tenant and session id. */
  sessionReplaced: 4009,
  /** The session's run-time ingest key was revoked or expired (also at a hello with such a key). */
  keyRevoked: 4004,
  /** A run-time key could not be checked (the key store in NATS is unreachable): reconnect later. */
  keyUnchecked: 1013,
  /** A frame exceeded the hard transport limit (uWS closes with 1009 itself above maxPayloadLength). */
  tooLarge: 1009,
  /** The server is shutting down; reconnect and resume from the last ack. */
  shuttingDown: 1001,
} as const

export class CallmaskError extends Error {
  override name = 'CallmaskError'
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export class ConfigError extends CallmaskError {
  override name = 'ConfigError'
  constructor(message: string) {
    super('CALLMASK_ERR_CONFIG', message)
  }
}

/** Data that can never be processed: it goes to the dead-letter stream with this reason. */
export class PermanentProcessingError extends CallmaskError {
  override name = 'PermanentProcessingError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('CALLMASK_ERR_UNPROCESSABLE', message, options)
  }
}

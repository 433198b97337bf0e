// Classifies a failed insert once, so the batch writer knows what to do with it:
//  - `data`: ClickHouse refused these rows (a parse or type error). Retrying cannot help:
//    split the batch until the message carrying them is found and dead-letter it.
//  - `unavailable`: ClickHouse could not be reached or is overloaded (network errors,
//    timeouts, memory or concurrency limits, read-only replicas). Retry, keep custody.
//  - `unknown`: ClickHouse answered with an error this list does not name. Treated as data
//    after a few attempts, but a single message is dead-lettered only once ClickHouse has
//    shown it is up (see batch-writer.ts): a new ClickHouse error code can then neither stop
//    every tenant nor dead-letter everything.
export type InsertErrorKind = 'data' | 'unavailable' | 'unknown'

const dataErrorCodes = new Set([
  6, // CANNOT_PARSE_TEXT
  25, // CANNOT_PARSE_ESCAPE_SEQUENCE (a lone surrogate, a bad \u escape)
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  32, // ATTEMPT_TO_READ_AFTER_EOF
  33, // CANNOT_READ_ALL_DATA
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  131, // TOO_LARGE_STRING_SIZE
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  457, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  1000, // POCO_EXCEPTION (e.g. invalid UTF-8 in a converter)
])

// ClickHouse is up but cannot take any rows until an operator acts: the data waits.
const unavailableErrorCodes = new Set([
  10, // NOT_FOUND_COLUMN_IN_BLOCK
  16, // NO_SUCH_COLUMN_IN_TABLE
  47, // UNKNOWN_IDENTIFIER
  60, // UNKNOWN_TABLE
  81, // UNKNOWN_DATABASE
  192, // UNKNOWN_USER
  194, // REQUIRED_PASSWORD
  497, // ACCESS_DENIED
  159, // TIMEOUT_EXCEEDED
  164, // READONLY
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  236, // ABORTED
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  279, // ALL_CONNECTION_TRIES_FAILED
  // Quorum inserts on a cluster (clickhouse-sink.ts, insert_quorum_parallel = 0): another
  // processor's insert has not reached its quorum yet, too few replicas are up, or the
  // quorum timed out with the insert's fate unknown (a retry is dropped by its token).
  285, // TOO_FEW_LIVE_REPLICAS
  286, // UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE
  319, // UNKNOWN_STATUS_OF_INSERT
  394, // QUERY_WAS_CANCELLED
  516, // AUTHENTICATION_FAILED (a rotated password: an operator fixes it, the data waits)
  999, // KEEPER_EXCEPTION
])

export function classifyInsertError(error: unknown): InsertErrorKind {
  if (!(error instanceof Error)) return 'unknown'
  const code = Number((error as { code?: unknown }).code)
  const type = (error as { type?: unknown }).type
  // The client refuses some values before sending (e.g. integers beyond 2^53).
  if (/unsafe integer|cannot serialize|invalid (date|value)/i.test(error.message)) return 'data'
  // An error with a ClickHouse code and type is ClickHouse's answer; anything else (ECONNREFUSED,
  // socket hang up, a closed chdb session) means it could not answer.
  const answered = Number.isInteger(code) && typeof type === 'string' && /^[A-Z_0-9]+$/.test(type)
  if (!answered) return 'unavailable'
  if (dataErrorCodes.has(code)) return 'data'
  if (unavailableErrorCodes.has(code)) return 'unavailable'
  return 'unknown'
}

/** Kept for callers that only ask "is it the data's fault?". */
export const isDataError = (error: unknown): boolean => classifyInsertError(error) === 'data'

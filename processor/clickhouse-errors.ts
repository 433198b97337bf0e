// Tells an insert that failed because of its data (retrying cannot help: isolate the
// message) from one that failed because ClickHouse is unavailable (retry, keep custody).
const dataErrorCodes = new Set([
  6, // CANNOT_PARSE_TEXT
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  131, // TOO_LARGE_STRING_SIZE
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  457, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
])

export function isDataError(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = Number((error as { code?: unknown }).code)
  if (Number.isInteger(code) && dataErrorCodes.has(code)) return true
  // The client refuses some values before sending (e.g. integers beyond 2^53).
  return /unsafe integer|cannot serialize|invalid (date|value)/i.test(error.message)
}

// What a typed refusal says, for the fuzz tests: every message ingest or the processor gives
// for a bad frame comes from this closed set (a field named as a JSON pointer may quote a
// key the client chose; no message quotes a value).

// Every reason a frame is not one admissible value, as lib/wire-codec.ts and the shape walks word it.
const shapeProblems = '(the msgpack value is truncated|a map key is not a string|binary values are not accepted|msgpack extension types are not accepted|the frame holds more than one msgpack value|the frame nests deeper than 16 levels|the frame has more than 100000 values)'

/** A frame that is not one admissible msgpack or JSON value (ingest: CALLMASK_ERR_MALFORMED). */
export const malformedMessage = new RegExp(`^(the frame is not valid (msgpack|JSON)|the frame is not accepted msgpack: ${shapeProblems}|the frame is not accepted JSON: the frame (nests deeper than 16 levels|has more than 100000 values))$`)

/** A schema problem names the field as a JSON pointer, then what is wrong with it (ingest: CALLMASK_ERR_SCHEMA). */
export const schemaMessage = /^(\/.* .+|a frame must be an object)$/s

/** The ways lib/frame-envelope.ts words a frame time the pipeline refuses. */
export const timeMessage = /^\/ts (looks like seconds since the epoch: send milliseconds|is more than 7 days before the server clock|is more than 1 day after the server clock)$/

/** The reasons the processor's decoder dead-letters a message with (PermanentProcessingError). */
export const unprocessableMessage = new RegExp(
  `^(message lacks the Callmask envelope headers|payload cannot be decoded|payload violates the schema: (\\/.* .+|a frame must be an object)|a hello frame is not data|payload nests too deep|${timeMessage.source.slice(1, -1)})$`,
  's',
)

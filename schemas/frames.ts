// Wire protocol v1: the JSON Schemas of every frame are the single source of truth.
// ajv compiles these objects at run time (schemas/frame-validator.ts); the TypeScript
// types below are inferred from the same objects by json-schema-to-ts, so they cannot
// drift. `npm run schemas` writes them out as .json files for SDK authors in other
// languages, and a test fails when the written files are stale.
import type { FromSchema } from 'json-schema-to-ts'

/**
 * Report types a browser's getStats() returns today (W3C webrtc-stats). Frames may carry
 * others (older browsers' `track`, next year's types): the processor drops what its policy
 * does not name and counts them by these names (anything else as `other`).
 */
export const reportTypes = [
  'codec',
  'inbound-rtp',
  'outbound-rtp',
  'remote-inbound-rtp',
  'remote-outbound-rtp',
  'media-source',
  'media-playout',
  'peer-connection',
  'data-channel',
  'transport',
  'candidate-pair',
  'local-candidate',
  'remote-candidate',
  'certificate',
] as const

const shortText = { type: 'string', minLength: 1, maxLength: 256 } as const

// Tolerant reader: in data frames only the envelope and the fields the pipeline uses are
// binding. Other fields and report types are accepted here and dropped (and counted) by the
// processor's allow-list policy; only the hello is strict, where an extra field means a
// wrong client. The frame size limit bounds what the extra fields can cost.
export const callContextSchema = {
  title: 'call context',
  type: 'object',
  description: 'Who and where: the identifiers the processor pseudonymises before storage. Other fields are dropped.',
  required: ['conferenceId', 'participantId', 'peerConnectionId'],
  maxProperties: 32,
  properties: {
    conferenceId: shortText,
    participantId: shortText,
    peerConnectionId: { type: 'string', minLength: 1, maxLength: 128 },
    displayName: { type: 'string', maxLength: 256 },
    callId: shortText,
  },
} as const

export const statsReportSchema = {
  title: 'stats report',
  type: 'object',
  description:
    'One RTCStats dictionary exactly as getStats() returned it (W3C field names). Any report type and field is accepted; what the policy does not name is dropped.',
  required: ['id', 'type', 'timestamp'],
  maxProperties: 256,
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 256 },
    type: { type: 'string', minLength: 1, maxLength: 64 },
    timestamp: { type: 'number', minimum: 0 },
  },
} as const

export const helloFrameSchema = {
  $id: 'callmask/v1/hello',
  type: 'object',
  required: ['type', 'v', 'key', 'sessionId', 'sdk'],
  additionalProperties: false,
  properties: {
    type: { const: 'hello' },
    v: { const: 1 },
    key: { type: 'string', minLength: 8, maxLength: 200 },
    sessionId: { type: 'string', minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' },
    sdk: {
      type: 'object',
      required: ['name', 'version'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 64 },
        version: { type: 'string', minLength: 1, maxLength: 32 },
      },
    },
    lastAckedSeq: { type: 'integer', minimum: 0, maximum: 9007199254740991 },
  },
} as const

export const statsFrameSchema = {
  $id: 'callmask/v1/stats',
  type: 'object',
  required: ['type', 'seq', 'ts', 'call', 'reports'],
  maxProperties: 16,
  properties: {
    type: { const: 'stats' },
    seq: { type: 'integer', minimum: 1, maximum: 9007199254740991 },
    ts: { type: 'number', minimum: 0, description: 'Wall-clock ms since the epoch when getStats() resolved.' },
    call: callContextSchema,
    reports: { type: 'array', maxItems: 256, items: statsReportSchema },
    previous: {
      type: 'array',
      maxItems: 256,
      items: statsReportSchema,
      description:
        'Optional: the same peer connection\'s rtp reports at the getStats() before this one, trimmed to the counters of schemas/interval-fields.ts. The processor computes each interval from the pair, so intervals do not depend on which processor gets which frame. Without it the interval columns stay empty.',
    },
  },
} as const

export const eventNames = [
  'join',
  'leave',
  'mute',
  'unmute',
  'ice-state',
  'connection-state',
  'device-change',
  'feedback',
] as const

export const eventFrameSchema = {
  $id: 'callmask/v1/event',
  type: 'object',
  required: ['type', 'seq', 'ts', 'call', 'name'],
  maxProperties: 16,
  properties: {
    type: { const: 'event' },
    seq: { type: 'integer', minimum: 1, maximum: 9007199254740991 },
    ts: { type: 'number', minimum: 0 },
    call: callContextSchema,
    name: { type: 'string', enum: eventNames },
    value: {
      description: 'A state name (ice-state, connection-state), a media kind (mute) or a rating 1-5 (feedback).',
      anyOf: [{ type: 'number' }, { type: 'string', maxLength: 64 }],
    },
  },
} as const

export const ackFrameSchema = {
  $id: 'callmask/v1/ack',
  type: 'object',
  required: ['type', 'seq'],
  additionalProperties: false,
  properties: {
    type: { const: 'ack' },
    seq: { type: 'integer', minimum: 0, description: 'Highest contiguous seq durably stored.' },
  },
} as const

export const errorFrameSchema = {
  $id: 'callmask/v1/error',
  type: 'object',
  required: ['type', 'code', 'message', 'retryable'],
  additionalProperties: false,
  properties: {
    type: { const: 'error' },
    code: { type: 'string', pattern: '^CALLMASK_ERR_[A-Z_]+$' },
    message: { type: 'string', maxLength: 1024 },
    retryable: { type: 'boolean' },
    seq: { type: 'integer', minimum: 0 },
  },
} as const

/** The frames, each a self-contained schema (sub-schemas are inlined, not referenced). */
export const allFrameSchemas = [
  helloFrameSchema,
  statsFrameSchema,
  eventFrameSchema,
  ackFrameSchema,
  errorFrameSchema,
] as const

export type CallContext = FromSchema<typeof callContextSchema>
export type StatsReport = FromSchema<typeof statsReportSchema>
export type HelloFrame = FromSchema<typeof helloFrameSchema>
export type StatsFrame = FromSchema<typeof statsFrameSchema>
export type EventFrame = FromSchema<typeof eventFrameSchema>
export type AckFrame = FromSchema<typeof ackFrameSchema>
export type ErrorFrame = FromSchema<typeof errorFrameSchema>
export type DataFrame = StatsFrame | EventFrame
export type ReportType = (typeof reportTypes)[number]

/** W3C report types a frame may carry, also obsolete ones: the bounded vocabulary of metric labels. */
export const reportTypeLabels: ReadonlySet<string> = new Set([...reportTypes, 'csrc', 'stream', 'track', 'sender', 'receiver', 'transceiver', 'ice-server'])
export const reportTypeLabel = (type: string): string => (reportTypeLabels.has(type) ? type : 'other')

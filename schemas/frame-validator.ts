// Compiled ajv validators for the client frames. Settings follow the project design (measured on these machines): strict,
// first error only, bounds on everything, so a validation costs about a microsecond.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import {
  eventFrameSchema,
  helloFrameSchema,
  statsFrameSchema,
  type EventFrame,
  type HelloFrame,
  type StatsFrame,
} from './frames.ts'

export type ClientFrame = HelloFrame | StatsFrame | EventFrame

export type ValidationResult =
  | { ok: true; frame: ClientFrame }
  | { ok: false; field: string; message: string }

const ajv = new Ajv({ strict: true, allErrors: false, allowUnionTypes: true })
const validators: Record<string, ValidateFunction> = {
  hello: ajv.compile(helloFrameSchema),
  stats: ajv.compile(statsFrameSchema),
  event: ajv.compile(eventFrameSchema),
}

// Ingest's envelope check of a stats frame: the same rules with the reports' contents left to
// the processor, which validates every frame in full before mapping it (a frame it refuses is
// dead-lettered with the reason and counted per tenant).
const { $id: _statsId, ...statsRules } = statsFrameSchema
const envelopeValidators: Record<string, ValidateFunction> = {
  stats: ajv.compile({
    ...statsRules,
    properties: { ...statsRules.properties, reports: { type: 'array', maxItems: 256 }, previous: { type: 'array', maxItems: 256 } },
  }),
}

/** Checks a stats frame whose `reports` and `previous` arrays are stand-ins of the right length. */
export function validateStatsEnvelope(value: Record<string, unknown>): ValidationResult {
  return check(value, envelopeValidators, '/type must be stats')
}

/** Checks a decoded client frame; on failure names the offending field as a JSON pointer. */
export function validateClientFrame(value: unknown): ValidationResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, field: '/', message: 'a frame must be an object' }
  }
  return check(value, validators, '/type must be one of hello, stats, event')
}

function check(value: object, byType: Record<string, ValidateFunction>, typeMessage: string): ValidationResult {
  const type = (value as { type?: unknown }).type
  // Own keys only: `toString` or `__proto__` as a type must not find Object.prototype's members.
  const validate = typeof type === 'string' && Object.hasOwn(byType, type) ? byType[type] : undefined
  if (!validate) {
    return { ok: false, field: '/type', message: typeMessage }
  }
  if (validate(value)) return { ok: true, frame: value as ClientFrame }
  const error = validate.errors?.[0]
  const field = error ? fieldOf(error) : '/'
  return { ok: false, field, message: `${field} ${error?.message ?? 'is invalid'}` }
}

const maxFieldLength = 200

// For a missing or unexpected property ajv points at the parent; name the property itself.
function fieldOf(error: ErrorObject): string {
  const params = error.params as { missingProperty?: string; additionalProperty?: string }
  const child = params.missingProperty ?? params.additionalProperty
  const base = error.instancePath || ''
  const path = child ? `${base}/${child}` : base || '/'
  // The path quotes names the client chose: keep error frames small.
  return path.length > maxFieldLength ? `${path.slice(0, maxFieldLength)}…` : path
}

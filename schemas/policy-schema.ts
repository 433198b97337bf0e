// JSON Schema of the pseudonymisation policy file (policy/default-policy.json is the
// shipped default). Validated at start-up; an invalid policy stops callmask with the
// offending path named.
import type { FromSchema } from 'json-schema-to-ts'
import { tenantNamePattern } from '../lib/tenant-name.ts'

export const fieldActions = ['keep', 'drop', 'pseudonymise', 'detect', 'truncate-ip'] as const

const fieldRules = {
  type: 'object',
  description: 'W3C field name -> action. Fields not named are dropped (allow-list).',
  maxProperties: 256,
  propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9]{0,63}$' },
  additionalProperties: { type: 'string', enum: fieldActions },
} as const

export const policySchema = {
  $id: 'callmask/policy',
  type: 'object',
  required: ['version', 'call', 'event', 'reports'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    version: { const: 1 },
    description: { type: 'string', maxLength: 2000 },
    call: { ...fieldRules, description: 'Fields of the call context of stats and event frames.' },
    event: { ...fieldRules, description: 'Fields of event frames besides type, seq, ts and call.' },
    reports: {
      type: 'object',
      description: 'Report type (or "*" for every type) -> field rules. A type not named keeps only the "*" fields.',
      maxProperties: 64,
      propertyNames: { pattern: '^(\\*|[a-z][a-z-]{0,63})$' },
      additionalProperties: fieldRules,
    },
    tenants: {
      type: 'object',
      description: 'Per-tenant detection and retention settings.',
      maxProperties: 100000,
      propertyNames: { pattern: tenantNamePattern },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          defaultCountry: {
            type: 'string',
            pattern: '^[A-Z]{2}$',
            description: 'ISO 3166 country whose national phone formats are recognised. Unset: only international forms.',
          },
          allow: { type: 'array', maxItems: 10000, items: { type: 'string', minLength: 1, maxLength: 256 }, description: 'Tokens never treated as personal.' },
          deny: { type: 'array', maxItems: 10000, items: { type: 'string', minLength: 1, maxLength: 256 }, description: 'Tokens always pseudonymised where they appear.' },
          retentionDays: { type: 'integer', minimum: 1, maximum: 3650, description: "Days this tenant's rows are kept (written into each row's TTL). Unset: CALLMASK_RETENTION_DAYS." },
          aggregateRetentionDays: {
            type: 'integer',
            minimum: 1,
            maximum: 3650,
            description: "Days this tenant's per-minute aggregates and call summaries are kept. Unset: CALLMASK_AGGREGATE_RETENTION_DAYS.",
          },
        },
      },
    },
  },
} as const

export type Policy = FromSchema<typeof policySchema>
export type FieldAction = (typeof fieldActions)[number]

// Loads the pseudonymisation policy file, validates it against schemas/policy-schema.ts
// and compiles it into look-up maps for the hot path. An invalid policy is a ConfigError
// that names the path, so callmask refuses to start rather than store too much.
import { Ajv } from 'ajv'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max'
import { ConfigError } from '../lib/errors.ts'
import { policySchema, type FieldAction, type Policy } from '../schemas/policy-schema.ts'
import type { DetectOptions } from '../pii/span.ts'

export const defaultPolicyPath = join(dirname(fileURLToPath(import.meta.url)), 'default-policy.json')

export interface CompiledPolicy {
  readonly source: string
  /** The report types the policy names (besides "*"); any other type is dropped whole. */
  readonly reportTypes: readonly string[]
  /** The tenants the policy has settings for. */
  readonly tenants: readonly string[]
  readonly call: ReadonlyMap<string, FieldAction>
  readonly event: ReadonlyMap<string, FieldAction>
  /** Rules for a report type ("*" rules merged under the type's own); undefined for a type the policy does not name (dropped whole). */
  reportRules(type: string): ReadonlyMap<string, FieldAction> | undefined
  detectOptions(tenant: string): DetectOptions
  /** The tenant's retention in days, if the policy sets one. */
  retentionDays(tenant: string): number | undefined
  /** The tenant's retention of aggregates and call summaries in days, if the policy sets one. */
  aggregateRetentionDays(tenant: string): number | undefined
}

const validatePolicy = new Ajv({ strict: true, allErrors: true }).compile(policySchema)

export function compilePolicy(value: unknown, source: string): CompiledPolicy {
  if (!validatePolicy(value)) {
    const problems = (validatePolicy.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`)
    throw new ConfigError(`The policy ${source} is invalid:\n  - ${problems.join('\n  - ')}`)
  }
  const policy = value as Policy
  const asMap = (rules: Record<string, string> | undefined) => new Map(Object.entries(rules ?? {}) as [string, FieldAction][])
  const common = asMap(policy.reports['*'])
  const byType = new Map<string, ReadonlyMap<string, FieldAction>>()
  for (const [type, rules] of Object.entries(policy.reports)) {
    if (type !== '*') byType.set(type, new Map([...common, ...asMap(rules)]))
  }
  const unsupported = Object.entries(policy.tenants ?? {})
    .filter(([, settings]) => settings.defaultCountry !== undefined && !isSupportedCountry(settings.defaultCountry))
    .map(([tenant, settings]) => `/tenants/${tenant}/defaultCountry ${settings.defaultCountry} is not a country libphonenumber knows (use ISO 3166 codes: GB, not UK)`)
  if (unsupported.length > 0) throw new ConfigError(`The policy ${source} is invalid:\n  - ${unsupported.join('\n  - ')}`)
  const tenants = new Map<string, DetectOptions>()
  const retention = new Map<string, number>()
  const aggregateRetention = new Map<string, number>()
  for (const [tenant, settings] of Object.entries(policy.tenants ?? {})) {
    if (settings.retentionDays !== undefined) retention.set(tenant, settings.retentionDays)
    if (settings.aggregateRetentionDays !== undefined) aggregateRetention.set(tenant, settings.aggregateRetentionDays)
    const options: DetectOptions = {}
    if (settings.defaultCountry) options.defaultCountry = settings.defaultCountry as CountryCode
    if (settings.allow) options.allow = new Set(settings.allow.map((t) => t.toLowerCase()))
    if (settings.deny) options.deny = new Set(settings.deny.map((t) => t.toLowerCase()))
    tenants.set(tenant, options)
  }
  const noOptions: DetectOptions = {}
  return {
    source,
    reportTypes: [...byType.keys()],
    tenants: [...tenants.keys()],
    call: asMap(policy.call),
    event: asMap(policy.event),
    reportRules: (type) => byType.get(type),
    detectOptions: (tenant) => tenants.get(tenant) ?? noOptions,
    retentionDays: (tenant) => retention.get(tenant),
    aggregateRetentionDays: (tenant) => aggregateRetention.get(tenant),
  }
}

export function loadPolicy(path = defaultPolicyPath): CompiledPolicy {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`The policy file ${path} cannot be read: ${(error as Error).message}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new ConfigError(`The policy file ${path} is not valid JSON: ${(error as Error).message}`)
  }
  return compilePolicy(value, path)
}

// A tenant's retention, set at run time by the privacy officer: the effective values with
// where each comes from, and a change that new rows get within seconds and existing rows get
// at once (moved to the new expiry, or deleted when already past a shortened retention).
// Precedence, per value: the run-time setting (this operation, kept in the NATS KV bucket
// `callmask_tenant_settings`), then the policy file's `retentionDays` /
// `aggregateRetentionDays` for the tenant, then CALLMASK_RETENTION_DAYS /
// CALLMASK_AGGREGATE_RETENTION_DAYS.
import { openTenantSettingsForWriting, readTenantRetention, writeTenantRetention, type TenantRetentionSetting } from '../lib/tenant-settings.ts'
import { layoutOf } from '../storage/clickhouse-layout.ts'
import { applyTenantRetention, retentionMoveRefusal, type RetentionMoveResult } from '../storage/retention-move.ts'
import type { Actor, AdminContext } from './admin-context.ts'
import { needsNats, PrivacyOperationError } from './operation-error.ts'

export type RetentionSource = 'run-time' | 'policy' | 'config'

export interface EffectiveRetention {
  tenant: string
  raw: { days: number; source: RetentionSource }
  aggregate: { days: number; source: RetentionSource }
  /** When the run-time setting was made (ISO 8601); absent without one. */
  setAt?: string
}

/** A change: a number sets the value, null removes the run-time value (back to policy or config), absent keeps it. */
export interface RetentionChange {
  rawDays?: number | null
  aggregateDays?: number | null
}

export interface RetentionChangeResult {
  retention: EffectiveRetention
  /** Rows given the new retention, per table. */
  moved: Record<string, number>
  /** Rows deleted at once because they were past the new retention, per table. */
  deleted: Record<string, number>
  ms: number
}

/** The retention the tenant's new rows get now, for this API and the inventory. */
export async function effectiveRetention(admin: AdminContext, tenant: string): Promise<EffectiveRetention> {
  const { nc } = needsNats(admin.nats, 'Reading a tenant\'s retention')
  return resolve(admin, tenant, await readTenantRetention(await openTenantSettingsForWriting(nc), tenant))
}

// One change per tenant at a time in this process: two would share the scratch tables.
const running = new Map<string, Promise<unknown>>()

export async function setTenantRetention(admin: AdminContext, actor: Actor, tenant: string, change: RetentionChange): Promise<RetentionChangeResult> {
  const previous = running.get(tenant) ?? Promise.resolve()
  const run = previous.catch(() => undefined).then(() => applyChange(admin, actor, tenant, change))
  running.set(tenant, run)
  try {
    return await run
  } finally {
    if (running.get(tenant) === run) running.delete(tenant)
  }
}

async function applyChange(admin: AdminContext, actor: Actor, tenant: string, change: RetentionChange): Promise<RetentionChangeResult> {
  const { nc } = needsNats(admin.nats, 'Setting a tenant\'s retention')
  const started = Date.now()
  const audit = { keyId: actor.keyId, role: actor.role, tenant, operation: 'retention.set', target: `tenant:${tenant}` }
  let result: RetentionMoveResult | undefined
  let retention: EffectiveRetention | undefined
  try {
    // Refused before the setting is written: new rows would get it, existing ones not.
    const refusal = retentionMoveRefusal(layoutOf(admin.config))
    if (refusal) throw new PrivacyOperationError(409, 'CALLMASK_ERR_RETENTION_ON_CLUSTER', refusal)
    const kv = await openTenantSettingsForWriting(nc)
    const setting = merge(await readTenantRetention(kv, tenant), change)
    await writeTenantRetention(kv, tenant, setting)
    retention = resolve(admin, tenant, setting)
    // Every processor reads the setting within the refresh bound and flushes what it decoded
    // before within a batch interval: wait both out, so few rows arrive with the old values
    // after the move (those that do are moved by its next pass).
    await new Promise((r) => setTimeout(r, admin.config.tenantSettingsRefreshMs + admin.config.batchMaxMs))
    result = await applyTenantRetention(admin.clickhouse, admin.database, tenant, { rawDays: retention.raw.days, aggregateDays: retention.aggregate.days }, { layout: layoutOf(admin.config) })
  } catch (error) {
    await admin.audit.record({ ...audit, result: 'failed', status: 500, details: { ...change, error: (error as Error).message.slice(0, 200) } })
    throw error
  }
  const details = {
    rawDays: retention.raw.days,
    aggregateDays: retention.aggregate.days,
    rawSource: retention.raw.source,
    aggregateSource: retention.aggregate.source,
    moved: result.moved,
    deleted: result.deleted,
    rowsMoved: sum(result.moved),
    rowsDeleted: sum(result.deleted),
    passes: result.passes,
    ms: Date.now() - started,
  }
  // Recorded before the answer: a change that cannot be audited is not reported done.
  await admin.audit.record({ ...audit, result: 'ok', status: 200, details })
  admin.log.info({ tenant, rawDays: details.rawDays, aggregateDays: details.aggregateDays, rowsMoved: details.rowsMoved, rowsDeleted: details.rowsDeleted, ms: details.ms }, 'tenant retention applied')
  return { retention, moved: result.moved, deleted: result.deleted, ms: details.ms }
}

function merge(current: TenantRetentionSetting, change: RetentionChange): TenantRetentionSetting {
  const next: TenantRetentionSetting = { updatedAt: Date.now() }
  const rawDays = change.rawDays === undefined ? current.rawDays : change.rawDays
  const aggregateDays = change.aggregateDays === undefined ? current.aggregateDays : change.aggregateDays
  if (rawDays !== null && rawDays !== undefined) next.rawDays = rawDays
  if (aggregateDays !== null && aggregateDays !== undefined) next.aggregateDays = aggregateDays
  return next
}

function resolve(admin: AdminContext, tenant: string, setting: TenantRetentionSetting): EffectiveRetention {
  const pick = (runtime: number | undefined, policy: number | undefined, config: number) =>
    runtime !== undefined ? { days: runtime, source: 'run-time' as const } : policy !== undefined ? { days: policy, source: 'policy' as const } : { days: config, source: 'config' as const }
  const effective: EffectiveRetention = {
    tenant,
    raw: pick(setting.rawDays, admin.policy.retentionDays(tenant), admin.config.retentionDays),
    aggregate: pick(setting.aggregateDays, admin.policy.aggregateRetentionDays(tenant), admin.config.aggregateRetentionDays),
  }
  if (setting.updatedAt !== undefined && (setting.rawDays !== undefined || setting.aggregateDays !== undefined)) effective.setAt = new Date(setting.updatedAt).toISOString()
  return effective
}

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0)

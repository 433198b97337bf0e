// The retention each tenant's new rows get, and where it comes from: the one place the
// inventory and the privacy notice ask. The processor's rule (processor/message-decoder.ts):
// the run-time setting (README "Retention per tenant"), else the policy's per-tenant
// settings, else the config defaults; without NATS here, the last two.
import type { AdminContext } from './admin-context.ts'
import { effectiveRetention } from './tenant-retention.ts'

export interface TenantRetention {
  tenant: string
  rawDays: number
  aggregateDays: number
  /** Where each figure comes from. */
  rawSource: 'run-time' | 'policy' | 'default'
  aggregateSource: 'run-time' | 'policy' | 'default'
}

const sourceName = (source: string): TenantRetention['rawSource'] => (source === 'run-time' ? 'run-time' : source === 'policy' ? 'policy' : 'default')

export async function configuredRetention(admin: AdminContext, tenant: string): Promise<TenantRetention> {
  if (admin.nats) {
    const effective = await effectiveRetention(admin, tenant)
    return { tenant, rawDays: effective.raw.days, aggregateDays: effective.aggregate.days, rawSource: sourceName(effective.raw.source), aggregateSource: sourceName(effective.aggregate.source) }
  }
  const raw = admin.policy.retentionDays(tenant)
  const aggregate = admin.policy.aggregateRetentionDays(tenant)
  return {
    tenant,
    rawDays: raw ?? admin.config.retentionDays,
    aggregateDays: aggregate ?? admin.config.aggregateRetentionDays,
    rawSource: raw === undefined ? 'default' : 'policy',
    aggregateSource: aggregate === undefined ? 'default' : 'policy',
  }
}

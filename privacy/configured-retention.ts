// The retention each tenant's new rows get, and where it comes from: the one place the
// inventory and the privacy notice ask. Today: the policy's per-tenant settings, else the
// config defaults (the processor's rule, processor/message-decoder.ts). Run-time per-tenant
// retention settings are added here (hence async), so every report shows the same figures.
import type { AdminContext } from './admin-context.ts'

export interface TenantRetention {
  tenant: string
  rawDays: number
  aggregateDays: number
  /** Where each figure comes from. */
  rawSource: 'policy' | 'default'
  aggregateSource: 'policy' | 'default'
}

export async function configuredRetention(admin: AdminContext, tenant: string): Promise<TenantRetention> {
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

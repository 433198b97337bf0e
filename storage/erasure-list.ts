// The erasure list in ClickHouse (migration 006): pseudonyms of erased data subjects, per
// tenant. Written by the erasure operation, read by every processor (processor/erasure-filter.ts)
// so that rows of an erased subject still in flight are not inserted afterwards.
import type { ClickHouseClient } from '@clickhouse/client'
import { internalQueryLimits } from './query-limits.ts'

export interface ErasureList {
  add(tenant: string, pseudonyms: readonly string[], keepHours: number): Promise<void>
  /** Every listed pseudonym, by tenant. */
  read(): Promise<Map<string, Set<string>>>
}

export function createErasureList(clickhouse: ClickHouseClient, database: string): ErasureList {
  return {
    async add(tenant, pseudonyms, keepHours) {
      if (pseudonyms.length === 0) return
      const now = Date.now()
      const expires = Math.floor(now / 1000) + Math.ceil(keepHours * 3600)
      await clickhouse.insert({
        table: `${database}.erasure_list`,
        values: pseudonyms.map((pseudonym) => ({ tenant, pseudonym, requested_at: now, expires_at: expires })),
        format: 'JSONEachRow',
        clickhouse_settings: { async_insert: 0, wait_for_async_insert: 1, ...internalQueryLimits() },
      })
    },
    async read() {
      const result = await clickhouse.query({
        query: `SELECT DISTINCT tenant, pseudonym FROM ${database}.erasure_list WHERE expires_at > now()`,
        format: 'JSONCompactEachRow',
        clickhouse_settings: internalQueryLimits(),
      })
      const byTenant = new Map<string, Set<string>>()
      for (const [tenant, pseudonym] of await result.json<[string, string]>()) {
        let set = byTenant.get(tenant)
        if (!set) byTenant.set(tenant, (set = new Set()))
        set.add(pseudonym)
      }
      return byTenant
    },
  }
}

/** Every pseudonym in a stored value (`p_k<version>_` and 22 base64url characters). */
export const pseudonymTokens = (value: string): string[] => value.match(/p_k\d+_[A-Za-z0-9_-]{22}/g) ?? []

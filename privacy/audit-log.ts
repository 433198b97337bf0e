// The audit log: one row per API request made with a key and per privacy operation, in
// ClickHouse's audit_log table (migration 005), kept with its own retention. Written before
// the answer is sent for operations (an erasure that cannot be audited is not reported
// done) and after the response for reads. Targets are pseudonyms or tenant names only.
import type { ClickHouseClient } from '@clickhouse/client'
import { randomUUID } from 'node:crypto'
import { internalQueryLimits } from '../storage/query-limits.ts'

export type AuditResult = 'ok' | 'refused' | 'failed'

export interface AuditEntry {
  keyId: string
  role: string
  /** The tenant the request concerned; '' for requests about no tenant. */
  tenant: string
  /** `GET /v1/tenants/:tenant/quality`, `erase-subject`, `keys.create`, ... */
  operation: string
  /** What the operation touched: pseudonyms, a key id, a table; never a raw identifier. */
  target?: string
  result: AuditResult
  status: number
  /** Counts and other non-personal facts, stored as JSON. */
  details?: Record<string, unknown>
}

export interface AuditRow {
  ts: string
  key_id: string
  role: string
  tenant: string
  operation: string
  target: string
  result: AuditResult
  status: number
  details: string
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>
  /** Newest first; filters are exact matches. */
  list(filter: { tenant?: string; keyId?: string; operation?: string; from?: Date; to?: Date; limit: number }): Promise<AuditRow[]>
}

export function createAuditLog(clickhouse: ClickHouseClient, database: string, retentionDays: number): AuditLog {
  return {
    async record(entry) {
      await clickhouse.insert({
        table: `${database}.audit_log`,
        values: [
          {
            ts: Date.now(), // ms: DateTime64(3)
            retention_days: retentionDays,
            key_id: entry.keyId,
            role: entry.role,
            tenant: entry.tenant,
            operation: entry.operation,
            target: entry.target ?? '',
            result: entry.result,
            status: entry.status,
            details: JSON.stringify(entry.details ?? {}),
          },
        ],
        format: 'JSONEachRow',
        // chdb keeps settings per session: state every one this insert depends on.
        clickhouse_settings: { async_insert: 0, wait_for_async_insert: 1, insert_deduplicate: 1, insert_deduplication_token: randomUUID(), ...internalQueryLimits() },
      })
    },
    async list(filter) {
      const where = ['1']
      const params: Record<string, unknown> = { limit: filter.limit }
      if (filter.tenant !== undefined) (where.push('tenant = {tenant:String}'), (params['tenant'] = filter.tenant))
      if (filter.keyId !== undefined) (where.push('key_id = {keyId:String}'), (params['keyId'] = filter.keyId))
      if (filter.operation !== undefined) (where.push('operation = {operation:String}'), (params['operation'] = filter.operation))
      // `log.ts`, not `ts`: the SELECT's `toString(ts) AS ts` would shadow the column, and
      // ClickHouse refused every from/to filter (String compared with DateTime64, a 500).
      if (filter.from) (where.push('log.ts >= fromUnixTimestamp64Milli({from:Int64})'), (params['from'] = filter.from.getTime()))
      if (filter.to) (where.push('log.ts < fromUnixTimestamp64Milli({to:Int64})'), (params['to'] = filter.to.getTime()))
      const result = await clickhouse.query({
        query: `SELECT toString(log.ts) AS ts, key_id, role, tenant, operation, target, result, status, details FROM ${database}.audit_log AS log WHERE ${where.join(' AND ')} ORDER BY log.ts DESC LIMIT {limit:UInt32}`,
        query_params: params,
        format: 'JSONEachRow',
        clickhouse_settings: internalQueryLimits(),
      })
      return result.json<AuditRow>()
    },
  }
}

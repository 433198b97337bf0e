// POST /v1/tenants/:tenant/sql: an analyst's own read-only SELECT, restricted to the tenant.
// The query may read only the analyst tables by their plain names (sql-guard.ts); each name
// is bound to the tenant's rows by a CTE around the query, so another tenant's rows are not
// reachable. Values go in `params` and are bound ({name:Type} in the query), never spliced.
// Limits: `maxRows` rows (LIMIT around the query) and `timeoutS` seconds of execution.
import type { ClickHouseClient } from '@clickhouse/client'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { analystSqlLimits } from '../storage/query-limits.ts'
import { analystTables, checkAnalystSql, SqlRefusedError } from './sql-guard.ts'
import { tenantNamePattern } from '../lib/tenant-name.ts'

export interface SqlRouteOptions {
  database: string
  /** @default 10000 */
  maxRows?: number
  /** @default 10 */
  timeoutS?: number
}

interface SqlBody {
  sql: string
  params?: Record<string, string | number | boolean>
  limit?: number
}

export function registerSqlRoute(app: FastifyInstance, clickhouse: ClickHouseClient, options: SqlRouteOptions): void {
  const maxRows = options.maxRows ?? 10_000
  const running = new Set<string>()
  const scoped = analystTables.map((table) => `${table} AS (SELECT * FROM ${options.database}.${table} WHERE tenant = {cm_tenant:String})`).join(',\n  ')
  app.post<{ Params: { tenant: string }; Body: SqlBody }>(
    '/v1/tenants/:tenant/sql',
    {
      schema: {
        params: { type: 'object', required: ['tenant'], properties: { tenant: { type: 'string', pattern: tenantNamePattern } } },
        body: {
          type: 'object',
          required: ['sql'],
          additionalProperties: false,
          properties: {
            sql: { type: 'string', minLength: 1, maxLength: 20_000 },
            params: {
              type: 'object',
              maxProperties: 100,
              propertyNames: { pattern: '^(?![cC][mM]_)[A-Za-z_][A-Za-z0-9_]{0,62}$' },
              additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
            },
            limit: { type: 'integer', minimum: 1, maximum: maxRows },
          },
        },
      },
    },
    async (request, reply) => {
      // One SQL query at a time per key: chdb runs one query at a time for everybody.
      const keyId = request.principal?.keyId ?? ''
      if (running.has(keyId)) return reply.code(429).send({ error: 'CALLMASK_ERR_BUSY', message: 'this key already has a SQL query running; send the next when it has answered' })
      running.add(keyId)
      try {
        return await runOne(request.params.tenant, request.body, reply)
      } finally {
        running.delete(keyId)
      }
    },
  )

  async function runOne(tenant: string, body: SqlBody, reply: FastifyReply) {
    const { sql, params = {}, limit = maxRows } = body
    try {
      await checkAnalystSql(clickhouse, sql, params)
    } catch (error) {
      if (error instanceof SqlRefusedError) return reply.code(400).send({ error: 'CALLMASK_ERR_SQL_REFUSED', message: error.message })
      throw error
    }
    const query = `WITH\n  ${scoped}\nSELECT * FROM (\n${sql}\n) LIMIT {cm_limit:UInt32}`
    try {
      const result = await clickhouse.query({
        query,
        format: 'JSONEachRow',
        query_params: { ...params, cm_tenant: tenant, cm_limit: limit },
        clickhouse_settings: analystSqlLimits(options.timeoutS ?? 10),
      })
      const rows = await result.json<Record<string, unknown>>()
      return reply.send({ rows, count: rows.length, limit, truncated: rows.length === limit })
    } catch (error) {
      // The query's own fault (an unknown column, a missing parameter, the time limit): say so.
      const message = (error as Error).message.split('\n')[0]!.slice(0, 500)
      return reply.code(400).send({ error: 'CALLMASK_ERR_SQL_FAILED', message })
    }
  }
}

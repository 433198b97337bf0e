// GET /v1/admin/audit: the audit log, newest first, filtered by tenant, key id, operation and time.
import type { FastifyInstance } from 'fastify'
import type { AdminContext } from '../privacy/admin-context.ts'
import { requireAdmin, tenantParam } from './admin-route-helpers.ts'

interface AuditQuery {
  tenant?: string
  key?: string
  operation?: string
  from?: string
  to?: string
  limit: number
}

export function registerAuditRoutes(app: FastifyInstance, admin: AdminContext | undefined): void {
  app.get<{ Querystring: AuditQuery }>(
    '/v1/admin/audit',
    {
      config: { role: 'admin' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            tenant: tenantParam,
            key: { type: 'string', minLength: 1, maxLength: 128 },
            operation: { type: 'string', minLength: 1, maxLength: 200 },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 },
          },
        },
      },
    },
    async (request) => {
      const q = request.query
      const rows = await requireAdmin(admin).audit.list({
        tenant: q.tenant,
        keyId: q.key,
        operation: q.operation,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        limit: q.limit,
      })
      return { rows, count: rows.length }
    },
  )
}

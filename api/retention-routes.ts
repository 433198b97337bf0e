// GET and PUT /v1/admin/tenants/:tenant/retention: the tenant's effective retention (raw rows
// and aggregates, each with where it comes from) and a run-time change that existing rows
// get at once (privacy/tenant-retention.ts). The CLI's `callmask retention show|set` calls these.
import type { FastifyInstance } from 'fastify'
import type { AdminContext } from '../privacy/admin-context.ts'
import { effectiveRetention, setTenantRetention, type RetentionChange } from '../privacy/tenant-retention.ts'
import { requireAdmin, tenantParams } from './admin-route-helpers.ts'

// null: back to the policy file or the config default.
const days = { type: ['integer', 'null'], minimum: 1, maximum: 3650 } as const

export function registerRetentionRoutes(app: FastifyInstance, admin: AdminContext | undefined): void {
  app.get<{ Params: { tenant: string } }>(
    '/v1/admin/tenants/:tenant/retention',
    { config: { role: 'admin' }, schema: { params: tenantParams } },
    async (request) => effectiveRetention(requireAdmin(admin), request.params.tenant),
  )

  app.put<{ Params: { tenant: string }; Body: RetentionChange }>(
    '/v1/admin/tenants/:tenant/retention',
    {
      config: { role: 'admin' },
      schema: {
        params: tenantParams,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { rawDays: days, aggregateDays: days } },
      },
    },
    async (request) => {
      const principal = request.principal!
      return setTenantRetention(requireAdmin(admin), { keyId: principal.keyId, role: principal.role }, request.params.tenant, request.body)
    },
  )
}

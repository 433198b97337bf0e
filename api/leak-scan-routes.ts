// POST /v1/admin/tenants/:tenant/leak-scan[?rows=N]: runs the leak scanner over the tenant's
// newest N rows per table (default CALLMASK_LEAK_SCAN_ROWS) and answers with its findings.
import type { FastifyInstance } from 'fastify'
import type { AdminContext } from '../privacy/admin-context.ts'
import { runLeakScan } from '../privacy/leak-scan.ts'
import { actorOf, requireAdmin, tenantParams } from './admin-route-helpers.ts'

export function registerLeakScanRoutes(app: FastifyInstance, admin: AdminContext | undefined): void {
  app.post<{ Params: { tenant: string }; Querystring: { rows?: number } }>(
    '/v1/admin/tenants/:tenant/leak-scan',
    {
      config: { role: 'admin' },
      schema: {
        params: tenantParams,
        querystring: { type: 'object', additionalProperties: false, properties: { rows: { type: 'integer', minimum: 1, maximum: 1_000_000 } } },
      },
    },
    async (request) => runLeakScan(requireAdmin(admin), actorOf(request), request.params.tenant, { rowsPerTable: request.query.rows }),
  )
}

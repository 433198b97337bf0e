// The data subject's rights and the tenant's offboarding, for admin keys:
//   POST /v1/admin/tenants/:tenant/subjects/erase   {identifier}             Art. 17
//   POST /v1/admin/tenants/:tenant/subjects/export  {identifier, format, table?}  Art. 15/20
//   POST /v1/admin/tenants/:tenant/erase            {confirm: "<tenant>"}
// The identifier travels in the body, never the URL (URLs end up in logs and proxies).
import type { FastifyInstance } from 'fastify'
import type { AdminContext } from '../privacy/admin-context.ts'
import { eraseSubject } from '../privacy/erase-subject.ts'
import { eraseTenant, type TenantErasureHooks } from '../privacy/erase-tenant.ts'
import { exportSubject, type ExportFormat } from '../privacy/export-subject.ts'
import { PrivacyOperationError } from '../privacy/operation-error.ts'
import { actorOf, requireAdmin, tenantParams } from './admin-route-helpers.ts'

const identifier = { type: 'string', minLength: 1, maxLength: 1024 } as const

export function registerSubjectRoutes(app: FastifyInstance, admin: AdminContext | undefined, hooks: TenantErasureHooks = {}): void {
  app.post<{ Params: { tenant: string }; Body: { identifier: string } }>(
    '/v1/admin/tenants/:tenant/subjects/erase',
    { config: { role: 'admin' }, schema: { params: tenantParams, body: { type: 'object', additionalProperties: false, required: ['identifier'], properties: { identifier } } } },
    async (request) => eraseSubject(requireAdmin(admin), actorOf(request), request.params.tenant, request.body.identifier),
  )

  app.post<{ Params: { tenant: string }; Body: { identifier: string; format: ExportFormat; table?: string } }>(
    '/v1/admin/tenants/:tenant/subjects/export',
    {
      config: { role: 'admin' },
      schema: {
        params: tenantParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['identifier'],
          properties: { identifier, format: { type: 'string', enum: ['json', 'csv'], default: 'json' }, table: { type: 'string', pattern: '^[a-z_][a-z0-9_]{0,62}$' } },
        },
      },
    },
    async (request, reply) => {
      const { identifier: value, format, table } = request.body
      const result = await exportSubject(requireAdmin(admin), actorOf(request), request.params.tenant, value, format, table)
      return reply.type(result.contentType).header('Callmask-Export-Rows', JSON.stringify(result.counts)).send(result.body)
    },
  )

  app.post<{ Params: { tenant: string }; Body: { confirm: string } }>(
    '/v1/admin/tenants/:tenant/erase',
    { config: { role: 'admin' }, schema: { params: tenantParams, body: { type: 'object', additionalProperties: false, required: ['confirm'], properties: { confirm: { type: 'string' } } } } },
    async (request) => {
      if (request.body.confirm !== request.params.tenant) {
        throw new PrivacyOperationError(400, 'CALLMASK_ERR_CONFIRM', `erasing a tenant deletes all of its data and keys for good: send {"confirm": "${request.params.tenant}"} to confirm`)
      }
      return eraseTenant(requireAdmin(admin), actorOf(request), request.params.tenant, hooks)
    },
  )
}

// GET /v1/admin/privacy-notice?format=markdown|html[&tenant=]: the privacy notice written from
// the running configuration and policy; with a tenant, only that tenant's retention is named.
import type { FastifyInstance } from 'fastify'
import type { AdminContext } from '../privacy/admin-context.ts'
import { writeNotice, type NoticeFormat } from '../privacy/privacy-notice.ts'
import { actorOf, requireAdmin, tenantParam } from './admin-route-helpers.ts'

export function registerNoticeRoutes(app: FastifyInstance, admin: AdminContext | undefined): void {
  app.get<{ Querystring: { format: NoticeFormat; tenant?: string } }>(
    '/v1/admin/privacy-notice',
    {
      config: { role: 'admin' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { format: { type: 'string', enum: ['markdown', 'html'], default: 'markdown' }, tenant: tenantParam },
        },
      },
    },
    async (request, reply) => {
      const { format, tenant } = request.query
      const text = await writeNotice(requireAdmin(admin), actorOf(request), { format, tenant })
      return reply.type(format === 'html' ? 'text/html; charset=utf-8' : 'text/markdown; charset=utf-8').send(text)
    },
  )
}

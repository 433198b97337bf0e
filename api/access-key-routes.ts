// Keys for people (privacy/access-keys.ts), admin keys only:
//   POST   /v1/admin/keys      {role, tenant?, origins?, requireOrigin?, expiresAt?, label?} -> 201, the key once
//   GET    /v1/admin/keys      ?tenant=&role=&status=  (never a key or a whole hash)
//   DELETE /v1/admin/keys/:id  -> revoked for good
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { accessKeyRoles } from '../lib/access-key-store.ts'
import type { Actor, AdminContext } from '../privacy/admin-context.ts'
import { createAccessKey, listAccessKeys, revokeAccessKey, type CreateKeyInput, type KeyFilter } from '../privacy/access-keys.ts'
import { requireAdmin, tenantParam } from './admin-route-helpers.ts'

const actorOf = (request: FastifyRequest): Actor => ({ keyId: request.principal!.keyId, role: request.principal!.role })

export function registerAccessKeyRoutes(app: FastifyInstance, admin: AdminContext | undefined): void {
  app.post<{ Body: CreateKeyInput }>(
    '/v1/admin/keys',
    {
      config: { role: 'admin' },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['role'],
          properties: {
            role: { type: 'string', enum: [...accessKeyRoles] },
            tenant: tenantParam,
            origins: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 256 }, maxItems: 64 },
            requireOrigin: { type: 'boolean' },
            expiresAt: { type: 'string', format: 'date-time' },
            label: { type: 'string', maxLength: 200 },
          },
        },
      },
    },
    async (request, reply) => {
      const created = await createAccessKey(requireAdmin(admin), actorOf(request), request.body)
      // The key is in this answer only: no cache may keep it.
      return reply.code(201).header('cache-control', 'no-store').send(created)
    },
  )

  app.get<{ Querystring: KeyFilter }>(
    '/v1/admin/keys',
    {
      config: { role: 'admin' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            tenant: tenantParam,
            role: { type: 'string', enum: [...accessKeyRoles] },
            status: { type: 'string', enum: ['active', 'revoked', 'expired'] },
          },
        },
      },
    },
    async (request) => {
      const keys = await listAccessKeys(requireAdmin(admin), request.query)
      return { keys, count: keys.length }
    },
  )

  app.delete<{ Params: { id: string } }>(
    '/v1/admin/keys/:id',
    {
      config: { role: 'admin' },
      schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } },
    },
    async (request) => ({ revoked: true, ...(await revokeAccessKey(requireAdmin(admin), actorOf(request), request.params.id)) }),
  )
}

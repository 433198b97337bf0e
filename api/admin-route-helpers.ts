// Shared by the admin route groups: the tenant path parameter and the admin context check.
import type { FastifyRequest } from 'fastify'
import type { Actor, AdminContext } from '../privacy/admin-context.ts'
import { PrivacyOperationError } from '../privacy/operation-error.ts'
import { tenantNamePattern } from '../lib/tenant-name.ts'

export const tenantParam = { type: 'string', pattern: tenantNamePattern } as const
export const tenantParams = { type: 'object', required: ['tenant'], properties: { tenant: tenantParam } } as const

/** The context, or a 503 that says why this process cannot do privacy operations. */
export function requireAdmin(admin: AdminContext | undefined): AdminContext {
  if (!admin) throw new PrivacyOperationError(503, 'CALLMASK_ERR_NO_ADMIN', 'this API process runs no privacy operations (it has no admin context: run role all, or role api with NATS admin credentials)')
  return admin
}

/** Who runs the operation, as the audit log records it (routes with role admin always have a principal). */
export function actorOf(request: FastifyRequest): Actor {
  const principal = request.principal
  if (!principal) throw new PrivacyOperationError(400, 'CALLMASK_ERR_NO_PRINCIPAL', 'this operation needs an API key')
  return { keyId: principal.keyId, role: principal.role }
}

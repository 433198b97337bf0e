// Frames a tenant's raw tables hold twice, and their repair (README "Delivery guarantees"):
// two processors that both held a message can both write it; the later writer removes its
// copy right after its insert, unless it was killed in between. These routes find what such
// a kill left and remove it the same way (aggregates rebuilt, then the later copy deleted).
//   GET  /v1/admin/tenants/:tenant/duplicates          what is held twice, per table
//   POST /v1/admin/tenants/:tenant/duplicates/repair   removes the later copies; audited
// Both read the tenant's whole raw tables: an operator's command, not a dashboard's.
import type { FastifyInstance } from 'fastify'
import type { AdminContext } from '../privacy/admin-context.ts'
import { audited } from '../privacy/audited-operation.ts'
import { layoutOf } from '../storage/clickhouse-layout.ts'
import { createDuplicateRepair, findLaterCopies, type LaterCopies } from '../storage/duplicate-repair.ts'
import { actorOf, requireAdmin, tenantParams } from './admin-route-helpers.ts'

export interface DuplicatesAnswer {
  tenant: string
  /** Per table with frames held twice: how many frames, and how many later copies (one per extra insert and frame). */
  tables: { table: string; frames: number; laterCopies: number }[]
  repaired: boolean
}

const answerOf = (tenant: string, found: LaterCopies[], repaired: boolean): DuplicatesAnswer => ({
  tenant,
  tables: found.map((t) => ({ table: t.table, frames: t.frames, laterCopies: t.copies.reduce((n, c) => n + c.frames.length, 0) })),
  repaired,
})

export function registerDuplicateRoutes(app: FastifyInstance, admin: AdminContext | undefined): void {
  app.get<{ Params: { tenant: string } }>('/v1/admin/tenants/:tenant/duplicates', { config: { role: 'admin' }, schema: { params: tenantParams } }, async (request) => {
    const context = requireAdmin(admin)
    return answerOf(request.params.tenant, await findLaterCopies(context.clickhouse, context.database, request.params.tenant), false)
  })

  app.post<{ Params: { tenant: string } }>('/v1/admin/tenants/:tenant/duplicates/repair', { config: { role: 'admin' }, schema: { params: tenantParams } }, async (request) => {
    const context = requireAdmin(admin)
    const { tenant } = request.params
    return audited(
      context,
      actorOf(request),
      { operation: 'duplicates.repair', tenant },
      async () => {
        const found = await findLaterCopies(context.clickhouse, context.database, tenant)
        const repair = createDuplicateRepair(context.clickhouse, context.database, layoutOf(context.config))
        for (const { table, copies } of found) for (const { insertId, frames } of copies) await repair.removeCopies(table, frames, insertId)
        return answerOf(tenant, found, true)
      },
      (answer) => ({ tables: answer.tables }),
    )
  })
}

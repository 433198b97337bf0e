// GET /v1/admin/inventory: the record of processing (Art. 30), JSON or `?format=text`.
import type { FastifyInstance } from 'fastify'
import type { AdminContext } from '../privacy/admin-context.ts'
import { readInventory } from '../privacy/inventory.ts'
import { inventoryText } from '../privacy/inventory-text.ts'
import { actorOf, requireAdmin } from './admin-route-helpers.ts'

export function registerInventoryRoutes(app: FastifyInstance, admin: AdminContext | undefined): void {
  app.get<{ Querystring: { format: 'json' | 'text' } }>(
    '/v1/admin/inventory',
    {
      config: { role: 'admin' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { format: { type: 'string', enum: ['json', 'text'], default: 'json' } },
        },
      },
    },
    async (request, reply) => {
      const inventory = await readInventory(requireAdmin(admin), actorOf(request))
      if (request.query.format === 'text') return reply.type('text/plain; charset=utf-8').send(inventoryText(inventory))
      return inventory
    },
  )
}

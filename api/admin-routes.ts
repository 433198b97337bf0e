// The privacy officer's HTTP admin API: each route needs an admin key (config role 'admin'),
// runs one operation of privacy/ against the process's AdminContext and is audited there
// with its counts (the request itself is audited by server.ts as well). Route groups live
// in their own files and register here.
import type { FastifyInstance } from 'fastify'
import type { AdminContext } from '../privacy/admin-context.ts'
import { registerAccessKeyRoutes } from './access-key-routes.ts'
import { registerAuditRoutes } from './audit-routes.ts'
import { registerDuplicateRoutes } from './duplicate-routes.ts'
import { registerRetentionRoutes } from './retention-routes.ts'
import { registerSubjectRoutes } from './subject-routes.ts'
import { registerInventoryRoutes } from './inventory-routes.ts'
import { registerLeakScanRoutes } from './leak-scan-routes.ts'
import { registerNoticeRoutes } from './notice-routes.ts'

export function registerAdminRoutes(app: FastifyInstance, admin: AdminContext | undefined): void {
  registerAuditRoutes(app, admin)
  registerSubjectRoutes(app, admin)
  registerAccessKeyRoutes(app, admin)
  registerInventoryRoutes(app, admin)
  registerNoticeRoutes(app, admin)
  registerLeakScanRoutes(app, admin)
  registerRetentionRoutes(app, admin)
  registerDuplicateRoutes(app, admin)
}

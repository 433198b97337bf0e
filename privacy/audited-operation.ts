// Runs one privacy operation and records it in the audit log: ok with its counts, or
// failed / refused with the error's code. The record is written before the result is
// returned, so an operation that cannot be audited is not reported done.
import type { Actor, AdminContext } from './admin-context.ts'
import { PrivacyOperationError } from './operation-error.ts'

export interface OperationRecord {
  operation: string
  tenant: string
  /** Never a raw identifier: a tenant name, a pseudonym, a table. */
  target?: string
}

export async function audited<T>(admin: AdminContext, actor: Actor, record: OperationRecord, run: () => Promise<T>, details: (result: T) => Record<string, unknown>): Promise<T> {
  const base = { keyId: actor.keyId, role: actor.role, tenant: record.tenant, operation: record.operation, target: record.target }
  let result: T
  try {
    result = await run()
  } catch (error) {
    const refused = error instanceof PrivacyOperationError && error.status < 500
    const status = error instanceof PrivacyOperationError ? error.status : 500
    const code = (error as { code?: unknown }).code
    await admin.audit
      .record({ ...base, result: refused ? 'refused' : 'failed', status, details: { error: typeof code === 'string' ? code : 'internal' } })
      .catch((auditError: Error) => admin.log.error({ err: auditError.message, operation: record.operation }, 'the audit log refused an operation record'))
    throw error
  }
  await admin.audit.record({ ...base, result: 'ok', status: 200, details: details(result) })
  return result
}

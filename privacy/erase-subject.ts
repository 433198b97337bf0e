// Erasure of one data subject (Art. 17) within a tenant, from a raw identifier:
//  1. its pseudonyms under every live key version (subject-pseudonyms.ts);
//  2. the erasure list gets them first, so processors drop rows still in flight;
//  3. the aggregate groups its raw rows fed are noted, its rows are deleted from every
//     table, and those groups are rebuilt from the remaining raw rows;
//  4. after the processors have re-read the list (two refreshes and a batch), the same pass
//     again catches a batch that was already being inserted when the erasure began;
//  5. its dead letters are erased; the deleted values are removed from disk.
// Idempotent: a second erasure finds nothing and reports zeros. Audited with the pseudonyms.
import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { jetstreamManager } from '@nats-io/jetstream'
import type { TenantKey } from '../keyring/pseudonymiser.ts'
import { oneRebuildAtATime } from '../storage/aggregate-rebuild-queue.ts'
import { layoutOf } from '../storage/clickhouse-layout.ts'
import { createErasureList } from '../storage/erasure-list.ts'
import type { Actor, AdminContext } from './admin-context.ts'
import { aggregateViews, dropWorkTable, noteAffectedGroups, rebuildGroups, viewsByTarget } from './aggregate-recompute.ts'
import { carriesAnyCondition, dataTables } from './data-tables.ts'
import { purgeDeadLetters } from './dead-letter-purge.ts'
import { needsNats, PrivacyOperationError } from './operation-error.ts'
import { addCounts, deleteRows, removeDeletedFromDisk } from './subject-tables.ts'
import { subjectPseudonyms } from './subject-pseudonyms.ts'

export interface SubjectErasureReport {
  tenant: string
  /** What the subject's data was stored under; the audit log records these, never the identifier. */
  pseudonyms: string[]
  keyVersions: number[]
  /** Rows deleted per table, both passes. */
  deleted: Record<string, number>
  /** Aggregate groups rebuilt without the subject, per aggregate table. */
  rebuiltGroups: Record<string, number>
  /** Rows found by the second pass (a batch in flight when the erasure began). */
  lateRows: number
  deadLetters: number
}

/** The subject's pseudonyms under every live key of the tenant; 404 when the tenant has none. */
export async function pseudonymsOf(admin: AdminContext, tenant: string, identifier: string, operation: string, options: { ensureKey?: boolean } = {}): Promise<{ pseudonyms: string[]; keyVersions: number[]; keys: TenantKey[] }> {
  const nats = needsNats(admin.nats, operation)
  // An erasure of a tenant whose first frames still wait for a processor: the key they will
  // get is made now (as the processor would), so the erasure list can hold their pseudonyms.
  if (options.ensureKey) await nats.keyring.currentKey(tenant)
  const keys = await nats.keyring.liveKeys(tenant)
  if (keys.length === 0) throw new PrivacyOperationError(404, 'CALLMASK_ERR_NO_TENANT_KEY', `tenant ${tenant} has no live key (never used, or crypto-shredded): no data of it can be found`)
  return { pseudonyms: subjectPseudonyms(tenant, keys, identifier, admin.policy.detectOptions(tenant)), keyVersions: keys.map((k) => k.version), keys }
}

export async function eraseSubject(admin: AdminContext, actor: Actor, tenant: string, identifier: string): Promise<SubjectErasureReport> {
  const identifierText = identifier.trim()
  if (identifierText.length === 0) throw new PrivacyOperationError(400, 'CALLMASK_ERR_BAD_REQUEST', 'give the identifier to erase (a phone number, e-mail, user id or display name)')
  const nats = needsNats(admin.nats, 'Erasing a data subject')
  const { pseudonyms, keyVersions, keys } = await pseudonymsOf(admin, tenant, identifierText, 'Erasing a data subject', { ensureKey: true })
  const { clickhouse, database, config } = admin
  const params = { tenant, needles: pseudonyms }
  const layout = layoutOf(config)
  // Deterministic, so a rerun after a crash finds the groups a first run noted.
  const runId = createHash('sha256').update(tenant).update('\0').update(pseudonyms.join(' ')).digest('hex').slice(0, 16)
  await createErasureList(clickhouse, database).add(tenant, pseudonyms, config.streamMaxAgeH + 24)

  const rebuiltGroups: Record<string, number> = {}
  // One rebuild at a time in this process (the processor's duplicate repairs in role all).
  const pass = (): Promise<Record<string, number>> => oneRebuildAtATime(rebuildPass)
  async function rebuildPass(): Promise<Record<string, number>> {
    const tables = await dataTables(clickhouse, database)
    const byName = new Map(tables.map((t) => [t.name, t]))
    const targets = viewsByTarget(await aggregateViews(clickhouse, database, layout))
    for (const [target, views] of targets) {
      const source = byName.get(views[0]!.source)
      if (!source) continue
      const groups = await noteAffectedGroups(clickhouse, database, target, views, runId, `tenant = {tenant:String} AND ${carriesAnyCondition(source)}`, params)
      if (groups > 0) rebuiltGroups[target] = Math.max(rebuiltGroups[target] ?? 0, groups)
    }
    const deleted = await deleteRows(clickhouse, database, tables, (t) => `tenant = {tenant:String} AND ${carriesAnyCondition(t)}`, params, layout)
    for (const [target, views] of targets) {
      if (rebuiltGroups[target]) await rebuildGroups(clickhouse, database, target, views, runId, tenant, undefined, layout)
      await dropWorkTable(clickhouse, database, target, runId)
    }
    await removeDeletedFromDisk(clickhouse, database, [...Object.keys(deleted), ...Object.keys(rebuiltGroups)], layout)
    return deleted
  }

  try {
    const deleted = await pass()
    await sleep(2 * config.erasureRefreshMs + config.batchMaxMs + 500)
    const late = await pass()
    addCounts(deleted, late)
    const needles = [identifierText, identifierText.replace(/[^\d+]/g, '')].filter((n) => n.length >= 3).map((n) => Buffer.from(n))
    const wanted = new Set(pseudonyms)
    const detect = admin.policy.detectOptions(tenant)
    const deadLetters = await purgeDeadLetters(await jetstreamManager(nats.nc), tenant, {
      string: (value) => value.length <= 1024 && subjectPseudonyms(tenant, keys, value, detect).some((p) => wanted.has(p)),
      bytes: (data) => needles.some((needle) => Buffer.from(data).includes(needle)),
    })
    const report: SubjectErasureReport = { tenant, pseudonyms, keyVersions, deleted, rebuiltGroups, lateRows: Object.values(late).reduce((a, b) => a + b, 0), deadLetters }
    await admin.audit.record({ keyId: actor.keyId, role: actor.role, tenant, operation: 'erase-subject', target: pseudonyms.join(' '), result: 'ok', status: 200, details: { deleted, rebuiltGroups, lateRows: report.lateRows, deadLetters, keyVersions } })
    return report
  } catch (error) {
    await admin.audit
      .record({ keyId: actor.keyId, role: actor.role, tenant, operation: 'erase-subject', target: pseudonyms.join(' '), result: 'failed', status: error instanceof PrivacyOperationError ? error.status : 500, details: { reason: (error as Error).message.slice(0, 300) } })
      .catch(() => undefined)
    throw error
  }
}

// Erasure of a whole tenant (offboarding): its frames still waiting in JetStream and its
// dead letters are erased, every row of it is deleted from every table, its keys are
// crypto-shredded (keyring destroy: pseudonyms made before can never be recomputed; a fresh
// key is made at once, so data sent later under the same raw ids gets unrelated pseudonyms),
// and its API keys revoked.
// A second pass after the processors' key cache and erasure-list refresh have run out deletes
// rows of a batch that was in flight. Audited; the tenant name is the target.
import { setTimeout as sleep } from 'node:timers/promises'
import { jetstreamManager } from '@nats-io/jetstream'
import { framesStream, framesSubject } from '../lib/jetstream-streams.ts'
import { layoutOf } from '../storage/clickhouse-layout.ts'
import type { Actor, AdminContext } from './admin-context.ts'
import { dataTables } from './data-tables.ts'
import { purgeDeadLetters } from './dead-letter-purge.ts'
import { needsNats } from './operation-error.ts'
import { revokeTenantKeys } from './access-keys.ts'
import { addCounts, deleteRows, removeDeletedFromDisk } from './subject-tables.ts'

/** How long processors may go on using a tenant key they cached (keyring cacheTtlMs default). */
const keyCacheMs = 5000

export interface TenantErasureReport {
  tenant: string
  deleted: Record<string, number>
  waitingFrames: number
  deadLetters: number
  destroyedKeyVersions: number[]
  /** The version new data of the tenant is pseudonymised with, unrelated to every destroyed one. */
  newKeyVersion: number
  revokedApiKeys: number
}

export interface TenantErasureHooks {
  /** Revokes the tenant's run-time API and ingest keys; returns how many. */
  revokeKeys?: (tenant: string) => Promise<number>
}

export async function eraseTenant(admin: AdminContext, actor: Actor, tenant: string, hooks: TenantErasureHooks = {}): Promise<TenantErasureReport> {
  const nats = needsNats(admin.nats, 'Erasing a tenant')
  const { clickhouse, database, config } = admin
  const jsm = await jetstreamManager(nats.nc)
  const audit = (result: 'ok' | 'failed', status: number, details: Record<string, unknown>) =>
    admin.audit.record({ keyId: actor.keyId, role: actor.role, tenant, operation: 'erase-tenant', target: tenant, result, status, details })
  try {
    const revokedApiKeys = hooks.revokeKeys ? await hooks.revokeKeys(tenant) : await revokeTenantKeys(admin, actor, tenant)
    const waiting = await jsm.streams.purge(framesStream, { filter: framesSubject(tenant) })
    let deadLetters = await purgeDeadLetters(jsm, tenant, 'all')
    const deleteAll = async () => deleteRows(clickhouse, database, await dataTables(clickhouse, database), () => 'tenant = {tenant:String}', { tenant }, layoutOf(config))
    const deleted = await deleteAll()
    const destroyed = await nats.keyring.destroy(tenant)
    // A fresh key under the next version number at once: processors may not create keys, and
    // frames of the tenant sent later (unless its ingest keys are revoked) must not wait for one.
    const fresh = await nats.keyring.currentKey(tenant)
    await sleep(Math.max(keyCacheMs, 2 * config.erasureRefreshMs + config.batchMaxMs) + 500)
    addCounts(deleted, await deleteAll())
    deadLetters += await purgeDeadLetters(jsm, tenant, 'all')
    await removeDeletedFromDisk(clickhouse, database, Object.keys(deleted), layoutOf(config))
    const report: TenantErasureReport = { tenant, deleted, waitingFrames: waiting.purged, deadLetters, destroyedKeyVersions: destroyed.versions, newKeyVersion: fresh.version, revokedApiKeys }
    await audit('ok', 200, { deleted, waitingFrames: report.waitingFrames, deadLetters, destroyedKeyVersions: destroyed.versions, erasedKeyRevisions: destroyed.erased, revokedApiKeys })
    return report
  } catch (error) {
    await audit('failed', 500, { reason: (error as Error).message.slice(0, 300) }).catch(() => undefined)
    throw error
  }
}

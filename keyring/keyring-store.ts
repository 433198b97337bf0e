// Where keyring documents live: one entry per tenant (`tenant.<id>`) in the JetStream KV
// bucket `callmask_keyring`, shared by every processor. Writes are compare-and-set on the
// entry's revision; the caller retries on a conflict. Erasing securely overwrites every
// stored revision of the entry (JetStream's `erase` delete) and then purges the key.
import { JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream'
import { Kvm, type KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/nats-core'
import { decodeDocument, encodeDocument, type KeyringDocument } from './keyring-document.ts'
import { isPermissionViolation } from '../lib/nats-connection.ts'
import { KeyringTenantError, KeyringUnavailableError, TenantKeyMissingError } from './keyring-errors.ts'

export const keyringBucket = 'callmask_keyring'

const entryPrefix = 'tenant.'
// The tenant pattern of lib/config.ts: also a safe KV key token (no dots, no wildcards).
const tenantPattern = /^[a-z0-9][a-z0-9_-]{0,62}$/
// Only the latest document matters; older revisions would keep sealed keys around.
const bucketHistory = 1

/** Creates the bucket if missing (file storage, history 1), else opens it as it is. */
export async function openKeyringBucket(nc: NatsConnection): Promise<KV> {
  return new Kvm(nc).create(keyringBucket, { history: bucketHistory })
}

export interface StoredDocument {
  /** null when the tenant has no entry, or it was purged. */
  doc: KeyringDocument | null
  /** The KV revision the document was read at; 0 when there is no entry at all. */
  revision: number
}

export interface KeyringStore {
  read(tenant: string): Promise<StoredDocument>
  /** Writes `doc` only if the entry is still as `seen`; false when another writer came first. */
  write(tenant: string, doc: KeyringDocument, seen: StoredDocument): Promise<boolean>
  tenants(): Promise<string[]>
  /** Removes every stored revision of the tenant's entry; returns how many were erased securely. */
  erase(tenant: string): Promise<number>
}

export function createKeyringStore(kv: KV, jsm?: JetStreamManager): KeyringStore {
  return {
    async read(tenant) {
      const key = entryKey(tenant)
      const entry = await unavailableOnError('read', () => kv.get(key))
      if (!entry) return { doc: null, revision: 0 }
      if (entry.operation !== 'PUT') return { doc: null, revision: entry.revision }
      return { doc: decodeDocument(entry.value, tenant), revision: entry.revision }
    },

    async write(tenant, doc, seen) {
      const key = entryKey(tenant)
      const bytes = encodeDocument(doc)
      try {
        // `create` also succeeds over a DEL/PURGE marker, itself compare-and-set.
        if (seen.doc === null) await kv.create(key, bytes)
        else await kv.update(key, bytes, seen.revision)
        return true
      } catch (error) {
        if (isRevisionConflict(error)) return false
        // Only admin may write the keyring; a processor writes only to create a tenant's key.
        if (isPermissionViolation(error)) throw new TenantKeyMissingError(tenant, { cause: error })
        throw unavailable('written', error)
      }
    },

    async tenants() {
      const keys = await unavailableOnError('listed', () => kv.keys(`${entryPrefix}*`))
      const tenants: string[] = []
      for await (const key of keys) tenants.push(key.slice(entryPrefix.length))
      return tenants.sort()
    },

    async erase(tenant) {
      const key = entryKey(tenant)
      let erased = 0
      if (jsm) {
        const stream = (await unavailableOnError('read', () => kv.status())).streamInfo.config.name
        const history = await unavailableOnError('read', () => kv.history({ key }))
        const revisions: number[] = []
        for await (const entry of history) if (entry.operation === 'PUT') revisions.push(entry.revision)
        for (const revision of revisions) {
          try {
            await jsm.streams.deleteMessage(stream, revision, true)
            erased += 1
          } catch (error) {
            // Replaced meanwhile: the purge below covers it.
            if (!isNoMessage(error)) throw unavailable('erased', error)
          }
        }
      }
      // A rollup purge: drops whatever is left of the key's history, leaves a PURGE marker.
      await unavailableOnError('purged', () => kv.purge(key))
      return erased
    },
  }
}

export function checkTenant(tenant: string): void {
  if (!tenantPattern.test(tenant)) {
    throw new KeyringTenantError(
      `"${tenant.slice(0, 80)}" is not a tenant id: use 1 to 63 lower-case letters, digits, "-" or "_", starting with a letter or digit.`,
    )
  }
}

function entryKey(tenant: string): string {
  checkTenant(tenant)
  return entryPrefix + tenant
}

function isRevisionConflict(error: unknown): boolean {
  if (error instanceof JetStreamApiError) return error.code === 10071 || error.code === 10164
  return error instanceof Error && /wrong last sequence/i.test(error.message)
}

function isNoMessage(error: unknown): boolean {
  if (error instanceof JetStreamApiError) return error.code === 10037
  return error instanceof Error && /no message found/i.test(error.message)
}

async function unavailableOnError<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (error) {
    throw unavailable(what, error)
  }
}

function unavailable(what: string, error: unknown): KeyringUnavailableError {
  const reason = error instanceof Error ? error.message : String(error)
  return new KeyringUnavailableError(`The keyring bucket could not be ${what}: ${reason}.`, { cause: error })
}

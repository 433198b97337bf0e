// Where keyring documents live: one entry per tenant (`tenant.<id>`) in the JetStream KV
// bucket `callmask_keyring`, shared by every processor. Writes are compare-and-set on the
// entry's revision; the caller retries on a conflict.
//
// No sealed key may outlive the document that replaced it (README "Crypto-shredding"):
// JetStream drops a revision that falls out of the bucket's history without overwriting
// it, and its bytes stay readable in the stream's .blk file (measured on nats-server
// 2.10.27: with history 1, every superseded revision was still there after destroy and
// after a restart). So the bucket keeps superseded revisions addressable (history 64) and
// every successful write at once overwrites the older revisions of its entry with
// JetStream's secure erase (STREAM.MSG.DELETE without no_erase: random bytes, on disk).
import { JetStreamApiError, type JetStreamManager, type MsgRequest } from '@nats-io/jetstream'
import { Bucket, Kvm, type KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/nats-core'
import { decodeDocument, encodeDocument, type KeyringDocument } from './keyring-document.ts'
import { isPermissionViolation } from '../lib/nats-connection.ts'
import { KeyringCorruptError, KeyringTenantError, KeyringUnavailableError, TenantKeyMissingError } from './keyring-errors.ts'
import { isTenantName } from '../lib/tenant-name.ts'

export const keyringBucket = 'callmask_keyring'

const entryPrefix = 'tenant.'
// Superseded revisions must stay in the stream until they are erased: with history 1
// JetStream would drop them itself, unerased. 64 (the KV maximum) leaves room for writes
// whose erase was interrupted; the next write or destroy erases them.
export const keyringHistory = 64

/** Creates the bucket if missing (file storage, history 64, `replicas` copies), else opens it as it is. */
export async function openKeyringBucket(nc: NatsConnection, replicas = 1): Promise<KV> {
  return new Kvm(nc).create(keyringBucket, { history: keyringHistory, replicas })
}

export interface StoredDocument {
  /** null when the tenant has no entry, or it was purged. */
  doc: KeyringDocument | null
  /** The KV revision the document was read at; 0 when there is no entry at all. */
  revision: number
}

export interface WriteResult {
  /** Older revisions of the entry overwritten after the write. */
  erased: number
}

export interface KeyringStore {
  /** Throws KeyringCorruptError (with `revision`) for an entry that does not parse. */
  read(tenant: string): Promise<StoredDocument>
  /** Writes `doc` only if the entry is still at `seen.revision`, then erases the older revisions; null when another writer came first. */
  write(tenant: string, doc: KeyringDocument, seen: StoredDocument): Promise<WriteResult | null>
  tenants(): Promise<string[]>
  /** Overwrites every stored revision of the entry but the latest; returns how many. */
  eraseSuperseded(tenant: string): Promise<number>
}

/** `jsm` defaults to the bucket's own manager; without one nothing can be erased. */
export function createKeyringStore(kv: KV, jsm?: JetStreamManager): KeyringStore {
  const manager = jsm ?? (kv instanceof Bucket ? kv.jsm : undefined)
  let historyChecked = false

  // A bucket made before history 64 is raised once, by the first writer (admin).
  async function ensureHistory(tenant: string): Promise<void> {
    if (historyChecked || !manager) return
    const status = await unavailableOnError('read', () => kv.status())
    if (status.history < keyringHistory) {
      try {
        await manager.streams.update(status.streamInfo.config.name, { max_msgs_per_subject: keyringHistory })
      } catch (error) {
        if (isPermissionViolation(error)) throw new TenantKeyMissingError(tenant, { cause: error })
        throw unavailable('upgraded to history 64', error)
      }
    }
    historyChecked = true
  }

  // Walks the entry's messages by sequence (STREAM.MSG.GET, answered by the stream leader):
  // kv.history would leave an ordered consumer's state directory in the store per call.
  async function eraseBelow(key: string, below: number): Promise<number> {
    if (!manager) return 0
    const status = await unavailableOnError('read', () => kv.status())
    const stream = status.streamInfo.config.name
    // `next_by_subj` is in the server's API (2.10) but missing from nats.js's MsgRequest type.
    const next = (seq: number) => ({ seq, next_by_subj: `$KV.${status.bucket}.${key}` }) as unknown as MsgRequest
    let erased = 0
    for (let seq = 1; seq < below; ) {
      const message = await unavailableOnError('read', () => manager.streams.getMessage(stream, next(seq)))
      if (!message || message.seq >= below) break
      seq = message.seq + 1
      // DEL and PURGE markers carry no value, so nothing to overwrite.
      if (message.data.length === 0) continue
      try {
        await manager.streams.deleteMessage(stream, message.seq, true)
        erased += 1
      } catch (error) {
        // Erased meanwhile by a concurrent writer.
        if (!isNoMessage(error)) throw unavailable('erased', error)
      }
    }
    return erased
  }

  return {
    async read(tenant) {
      const key = entryKey(tenant)
      const entry = await unavailableOnError('read', () => kv.get(key))
      if (!entry) return { doc: null, revision: 0 }
      if (entry.operation !== 'PUT') return { doc: null, revision: entry.revision }
      try {
        return { doc: decodeDocument(entry.value, tenant), revision: entry.revision }
      } catch (error) {
        if (error instanceof KeyringCorruptError) throw new KeyringCorruptError(error.message, { cause: error.cause, revision: entry.revision })
        throw error
      }
    },

    async write(tenant, doc, seen) {
      const key = entryKey(tenant)
      await ensureHistory(tenant)
      const bytes = encodeDocument(doc)
      let revision: number
      try {
        // `create` also succeeds over a DEL/PURGE marker, itself compare-and-set.
        revision = seen.revision === 0 ? await kv.create(key, bytes) : await kv.update(key, bytes, seen.revision)
      } catch (error) {
        if (isRevisionConflict(error)) return null
        // Only admin may write the keyring; a processor writes only to create a tenant's key.
        if (isPermissionViolation(error)) throw new TenantKeyMissingError(tenant, { cause: error })
        throw unavailable('written', error)
      }
      return { erased: await eraseBelow(key, revision) }
    },

    async tenants() {
      const keys = await unavailableOnError('listed', () => kv.keys(`${entryPrefix}*`))
      const tenants: string[] = []
      for await (const key of keys) tenants.push(key.slice(entryPrefix.length))
      return tenants.sort()
    },

    async eraseSuperseded(tenant) {
      const key = entryKey(tenant)
      const latest = await unavailableOnError('read', () => kv.get(key))
      return latest ? eraseBelow(key, latest.revision) : 0
    },
  }
}

export function checkTenant(tenant: string): void {
  if (!isTenantName(tenant)) {
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

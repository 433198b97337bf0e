// The tenant keyring: a random 256-bit HMAC key per tenant and version, sealed under the
// master key in the shared `callmask_keyring` KV bucket. The first `currentKey` of a tenant
// creates version 1 by compare-and-set, so concurrent processors agree on one key.
// `currentKey` is cached for a few seconds: the hot path does not ask NATS per message, and a
// rotation or destroy by another process is seen within that time.
//
// Destroy is crypto-shredding: the entry is replaced (compare-and-set) by a tombstone without
// key material that keeps the old version numbers, and every older revision is overwritten on
// disk (keyring-store.ts; README "Crypto-shredding" has the measurements). Pseudonyms made
// before can then never be recomputed, even by someone holding the master key and a copy of
// the store directory taken afterwards. Data that arrives later gets a fresh key under the
// next version number, so its pseudonyms differ from all earlier ones and `p_k<n>_` never
// names two keys (the pseudonym cache is keyed by version too). Other processes may use their
// cached old key for up to `cacheTtlMs`.
import type { JetStreamManager } from '@nats-io/jetstream'
import type { KV } from '@nats-io/kv'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../lib/logger.ts'
import type { KeySource } from './pseudonymiser.ts'
import { openKey, sealKey } from './key-sealing.ts'
import {
  currentRecord,
  destroyedDocument,
  highestVersion,
  liveVersions,
  withNewVersion,
  type KeyringDocument,
  type KeyVersionRecord,
} from './keyring-document.ts'
import { KeyringConflictError, KeyringCorruptError, KeyringTamperedError, MasterKeyError } from './keyring-errors.ts'
import { createKeyringStore, keyringBucket, openKeyringBucket, type StoredDocument } from './keyring-store.ts'
import type { MasterKey } from './master-key.ts'
import { createTenantKey, type TenantKey } from './tenant-key.ts'

export { keyringBucket, openKeyringBucket }

const tenantKeyLength = 32

export interface KeyringOptions {
  /** The `callmask_keyring` bucket (see openKeyringBucket). */
  kv: KV
  /** Needed to create, rotate and open keys; list and destroy work without it. */
  masterKey?: MasterKey
  log?: Logger
  /** Overwrites superseded revisions (secure erase). @default the bucket's own JetStreamManager */
  jsm?: JetStreamManager
  /** How long currentKey trusts its cached key. @default 5000 */
  cacheTtlMs?: number
  /** Compare-and-set attempts before KeyringConflictError. @default 20 */
  maxAttempts?: number
}

export interface TenantKeyringSummary {
  tenant: string
  /** The version new pseudonyms use; null when the tenant has no live key. */
  current: number | null
  /** Versions whose key still exists. */
  versions: number[]
  /** Versions destroyed for good. */
  destroyed: number[]
  /** Set when the entry cannot be read (corrupt or foreign); destroy still removes it. */
  problem?: string
}

export interface DestroyResult {
  /** The versions whose key material was removed by this call (empty if there was none). */
  versions: number[]
  /** Stored revisions overwritten on disk by this call (0 when there was nothing left to erase). */
  erased: number
}

export interface Keyring extends KeySource {
  /** The current key; creates version 1 on first use. */
  currentKey(tenant: string): Promise<TenantKey>
  /** Every version not destroyed, oldest first, for erasure look-ups. No key is created. */
  liveKeys(tenant: string): Promise<TenantKey[]>
  /** Adds a version and makes it current; returns its number. Older versions stay. */
  rotate(tenant: string): Promise<number>
  /**
   * Crypto-shreds all of the tenant's keys (see the header); needs no master key. Idempotent:
   * a second call destroys nothing but still erases what an interrupted call left behind.
   */
  destroy(tenant: string): Promise<DestroyResult>
  /** Every tenant in the bucket, without key material. */
  list(): Promise<TenantKeyringSummary[]>
  /** Forgets cached keys. */
  clearCache(): void
}

export function createKeyring(options: KeyringOptions): Keyring {
  const store = createKeyringStore(options.kv, options.jsm)
  const log = options.log?.child({ module: 'keyring' })
  const cacheTtlMs = options.cacheTtlMs ?? 5000
  const maxAttempts = options.maxAttempts ?? 20
  const cache = new Map<string, { key: TenantKey; expires: number }>()
  const loading = new Map<string, Promise<TenantKey>>()
  // Bumped by rotate and destroy, so a load that started before them cannot cache a stale key.
  let epoch = 0

  function masterKey(operation: string): MasterKey {
    if (!options.masterKey) throw new MasterKeyError(`The keyring was opened without a master key, which ${operation} needs.`)
    return options.masterKey
  }

  function open(tenant: string, record: KeyVersionRecord): TenantKey {
    const context = { tenant, version: record.version }
    const bytes = openKey(masterKey('opening a key'), record.key ?? '', context)
    if (bytes.length !== tenantKeyLength) {
      throw new KeyringTamperedError(`The key of tenant "${tenant}" version ${record.version} has the wrong length.`)
    }
    return createTenantKey(record.version, bytes)
  }

  function newVersion(tenant: string, doc: KeyringDocument | null): KeyringDocument {
    const version = highestVersion(doc) + 1
    const sealed = sealKey(masterKey('creating a key'), randomBytes(tenantKeyLength), { tenant, version })
    return withNewVersion(doc, tenant, version, sealed, new Date())
  }

  /** Read, change, compare-and-set, retry: `change` returns null to leave the entry as it is. */
  async function mutate(
    tenant: string,
    change: (doc: KeyringDocument | null) => KeyringDocument | null,
  ): Promise<KeyringDocument | null> {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const seen = await store.read(tenant)
      const next = change(seen.doc)
      if (!next) return seen.doc
      if (await store.write(tenant, next, seen)) return next
      await sleep(Math.random() * 10 * attempt)
    }
    throw new KeyringConflictError(`The keyring entry of tenant "${tenant}" kept changing during ${maxAttempts} attempts; try again.`)
  }

  async function loadCurrent(tenant: string): Promise<TenantKey> {
    masterKey('creating or opening a key')
    const startedAt = epoch
    let created: number | undefined
    const doc = await mutate(tenant, (seen) => {
      created = undefined
      if (currentRecord(seen)) return null
      const next = newVersion(tenant, seen)
      created = next.current
      return next
    })
    const record = currentRecord(doc)
    if (!record) throw new KeyringConflictError(`The keyring entry of tenant "${tenant}" has no current key; try again.`)
    const key = open(tenant, record)
    if (created !== undefined) {
      log?.info({ tenant, keyVersion: created }, created === 1 ? 'created the first key of a tenant' : 'created a fresh key after the earlier ones were destroyed')
    }
    if (epoch === startedAt) cache.set(tenant, { key, expires: Date.now() + cacheTtlMs })
    return key
  }

  // Shredding must work even on an entry this code cannot parse: it is erased all the same.
  async function readForDestroy(tenant: string): Promise<StoredDocument & { unreadable: boolean }> {
    try {
      return { ...(await store.read(tenant)), unreadable: false }
    } catch (error) {
      if (!(error instanceof KeyringCorruptError) || error.revision === undefined) throw error
      log?.warn({ tenant, err: error.message }, 'destroying an unreadable keyring entry; its version numbers are lost')
      return { doc: null, revision: error.revision, unreadable: true }
    }
  }

  return {
    currentKey(tenant) {
      const hit = cache.get(tenant)
      if (hit && hit.expires > Date.now()) return Promise.resolve(hit.key)
      // One NATS round trip per tenant, however many frames ask at once.
      let pending = loading.get(tenant)
      if (!pending) {
        pending = loadCurrent(tenant).finally(() => loading.delete(tenant))
        loading.set(tenant, pending)
      }
      return pending
    },

    async liveKeys(tenant) {
      const { doc } = await store.read(tenant)
      return liveVersions(doc)
        .sort((a, b) => a.version - b.version)
        .map((record) => open(tenant, record))
    },

    async rotate(tenant) {
      masterKey('rotating')
      epoch += 1
      const doc = await mutate(tenant, (seen) => {
        // A wrong master key must not start a keyring sealed under two master keys.
        for (const record of liveVersions(seen)) open(tenant, record)
        return newVersion(tenant, seen)
      })
      const record = currentRecord(doc)
      if (!record) throw new KeyringConflictError(`The keyring entry of tenant "${tenant}" has no current key after rotation; try again.`)
      cache.set(tenant, { key: open(tenant, record), expires: Date.now() + cacheTtlMs })
      log?.info({ tenant, keyVersion: record.version }, 'rotated a tenant key')
      return record.version
    },

    async destroy(tenant) {
      epoch += 1
      cache.delete(tenant)
      // Versions seen across attempts: a key created concurrently is destroyed too, and
      // the tombstone remembers every number.
      const known = new Map<number, KeyVersionRecord>()
      const destroyed = new Set<number>()
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const seen = await readForDestroy(tenant)
        const live = liveVersions(seen.doc)
        for (const record of seen.doc?.versions ?? []) known.set(record.version, record)
        for (const record of live) destroyed.add(record.version)
        let erased: number
        if (live.length === 0 && !seen.unreadable) {
          // Nothing live (never created, or a tombstone already): still erase what a write
          // interrupted before its erase may have left.
          erased = await store.eraseSuperseded(tenant)
        } else {
          const versions = [...known.values()].sort((a, b) => a.version - b.version)
          const written = await store.write(tenant, destroyedDocument({ format: 1, tenant, current: 0, versions }, new Date()), seen)
          if (!written) continue
          erased = written.erased
        }
        epoch += 1
        cache.delete(tenant)
        const result = { versions: [...destroyed].sort((a, b) => a - b), erased }
        if (result.versions.length > 0 || erased > 0) log?.info({ tenant, keyVersions: result.versions, erased }, 'destroyed the keys of a tenant')
        return result
      }
      throw new KeyringConflictError(`The keyring entry of tenant "${tenant}" kept changing while its keys were destroyed; run destroy again.`)
    },

    async list() {
      const summaries: TenantKeyringSummary[] = []
      for (const tenant of await store.tenants()) {
        let doc: KeyringDocument | null
        try {
          doc = (await store.read(tenant)).doc
        } catch (error) {
          if (!(error instanceof KeyringCorruptError)) throw error
          summaries.push({ tenant, current: null, versions: [], destroyed: [], problem: error.message })
          continue
        }
        if (!doc) continue
        const live = liveVersions(doc).map((v) => v.version)
        summaries.push({
          tenant,
          current: currentRecord(doc)?.version ?? null,
          versions: live,
          destroyed: doc.versions.map((v) => v.version).filter((v) => !live.includes(v)),
        })
      }
      return summaries
    },

    clearCache() {
      cache.clear()
    },
  }
}

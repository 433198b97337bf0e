// Ingest keys are publishable, tenant-scoped and stored only as SHA-256 hashes: static ones
// from CALLMASK_INGEST_KEYS, run-time ones (`cmk_<id>_...`, created through the admin API)
// from the access keys bucket via ingest's cache. A run-time key the cache has not seen yet
// (created a moment ago) is read from JetStream before the hello is answered.
import { accessKeyIdOf, matchesKey, refusalOf, type AccessKeyRecord, type StoredAccessKey } from '../lib/access-key-store.ts'
import type { IngestKeyEntry } from '../lib/config.ts'
import { hashKey } from '../lib/key-hash.ts'
import type { AccessKeyCache } from './access-key-cache.ts'

export type KeyCheck =
  | { ok: true; tenant: string; keyId: string; runTime: boolean }
  | { ok: false; refusal: 'badKey' | 'keyRevoked' | 'unavailable'; message: string }

export interface IngestKeyring {
  /** Whether the key may open a session from this origin; a promise only when JetStream must be asked. */
  authenticate(key: string, origin: string | undefined): KeyCheck | Promise<KeyCheck>
}

export const hashIngestKey = hashKey

const badKey: KeyCheck = { ok: false, refusal: 'badKey', message: 'the ingest key is unknown, or not valid for this origin' }

// Browsers always send Origin; server-side SDKs send none and are not restricted by it,
// unless the key says `requireOrigin` (a key only browsers on listed sites may use).
function originAllowed(entry: { origins?: readonly string[]; requireOrigin?: boolean }, origin: string | undefined): boolean {
  if (!origin && entry.requireOrigin) return false
  return !(entry.origins && entry.origins.length > 0 && origin && !entry.origins.includes(origin))
}

export function createIngestKeyring(entries: readonly IngestKeyEntry[], runTime?: AccessKeyCache): IngestKeyring {
  const byHash = new Map(entries.map((entry) => [entry.sha256, entry]))

  function decide(key: string, state: StoredAccessKey, origin: string | undefined): KeyCheck {
    if (state === undefined || state === 'gone') return badKey
    const record: AccessKeyRecord = state
    if (record.role !== 'ingest' || !matchesKey(record, key)) return badKey
    const refusal = refusalOf(record)
    if (refusal) return { ok: false, refusal: 'keyRevoked', message: `${refusal}; ask the operator for a new ingest key` }
    if (!originAllowed(record, origin)) return badKey
    return { ok: true, tenant: record.tenant!, keyId: record.id, runTime: true }
  }

  return {
    authenticate(key, origin) {
      const entry = byHash.get(hashIngestKey(key))
      if (entry) return originAllowed(entry, origin) ? { ok: true, tenant: entry.tenant, keyId: entry.id ?? entry.sha256.slice(0, 12), runTime: false } : badKey
      const id = accessKeyIdOf(key)
      if (!id || !runTime) return badKey
      const cached = runTime.peek(id)
      if (cached !== undefined) return decide(key, cached, origin)
      return runTime.fetch(id).then(
        (state) => decide(key, state, origin),
        (): KeyCheck => ({ ok: false, refusal: 'unavailable', message: 'the key could not be checked (the key store is unreachable); retry later' }),
      )
    },
  }
}

// Ingest keys are publishable, tenant-scoped and stored only as SHA-256 hashes.
import type { IngestKeyEntry } from '../lib/config.ts'
import { hashKey } from '../lib/key-hash.ts'

export interface IngestKeyring {
  /** The tenant a key belongs to, or undefined if the key is unknown or the origin not allowed. */
  authenticate(key: string, origin: string | undefined): { tenant: string; keyId: string } | undefined
}

export const hashIngestKey = hashKey

export function createIngestKeyring(entries: readonly IngestKeyEntry[]): IngestKeyring {
  const byHash = new Map(entries.map((entry) => [entry.sha256, entry]))
  return {
    authenticate(key, origin) {
      const entry = byHash.get(hashIngestKey(key))
      if (!entry) return undefined
      // Browsers always send Origin; server-side SDKs send none and are not restricted by it,
      // unless the key says `requireOrigin` (a key only browsers on listed sites may use).
      if (!origin && entry.requireOrigin) return undefined
      if (entry.origins && entry.origins.length > 0 && origin && !entry.origins.includes(origin)) return undefined
      return { tenant: entry.tenant, keyId: entry.id ?? entry.sha256.slice(0, 12) }
    },
  }
}

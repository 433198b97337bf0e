// Analyst and admin keys of the HTTP API: held by people, configured only as SHA-256 hashes.
// An analyst key reads its own tenant; an admin key every tenant.
import type { ApiKeyEntry } from '../lib/config.ts'
import { hashKey } from '../lib/key-hash.ts'

export interface ApiPrincipal {
  keyId: string
  role: 'analyst' | 'admin'
  /** The one tenant an analyst key may read; undefined for admin keys. */
  tenant: string | undefined
}

export function createApiKeyring(entries: readonly ApiKeyEntry[]) {
  const byHash = new Map(entries.map((entry) => [entry.sha256, entry]))
  return {
    authenticate(key: string): ApiPrincipal | undefined {
      const entry = byHash.get(hashKey(key))
      if (!entry) return undefined
      return { keyId: entry.id ?? entry.sha256.slice(0, 12), role: entry.role, tenant: entry.role === 'admin' ? undefined : entry.tenant }
    },
  }
}

export const mayRead = (principal: ApiPrincipal, tenant: string): boolean => principal.role === 'admin' || principal.tenant === tenant

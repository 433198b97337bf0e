// Analyst and admin keys of the HTTP API, held by people and stored only as SHA-256 hashes:
// static ones from CALLMASK_API_KEYS, run-time ones (`cmk_<id>_...`, created through the
// admin API) read from the access keys bucket on every request, so a revocation or an
// expiry counts from the next request on, in every API process.
// An analyst key reads its own tenant; an admin key every tenant.
import { accessKeyIdOf, matchesKey, refusalOf, type AccessKeyReader } from '../lib/access-key-store.ts'
import type { ApiKeyEntry } from '../lib/config.ts'
import { hashKey } from '../lib/key-hash.ts'

export interface ApiPrincipal {
  keyId: string
  role: 'analyst' | 'admin'
  /** The one tenant an analyst key may read; undefined for admin keys. */
  tenant: string | undefined
}

export type ApiKeyCheck = { ok: true; principal: ApiPrincipal } | { ok: false; status: 401 | 503; message: string }

const invalid: ApiKeyCheck = { ok: false, status: 401, message: 'the API key is not valid' }

export function createApiKeyring(entries: readonly ApiKeyEntry[], runTime?: AccessKeyReader) {
  const byHash = new Map(entries.map((entry) => [entry.sha256, entry]))
  return {
    async authenticate(key: string): Promise<ApiKeyCheck> {
      const entry = byHash.get(hashKey(key))
      if (entry) {
        const principal = { keyId: entry.id ?? entry.sha256.slice(0, 12), role: entry.role, tenant: entry.role === 'admin' ? undefined : entry.tenant }
        return { ok: true, principal }
      }
      const id = accessKeyIdOf(key)
      if (!id || !runTime) return invalid
      let state
      try {
        state = await runTime.get(id)
      } catch {
        return { ok: false, status: 503, message: 'the API key could not be checked: the key store (NATS) is unreachable; retry later' }
      }
      if (state === undefined || state === 'gone' || state.role === 'ingest' || !matchesKey(state, key)) return invalid
      const refusal = refusalOf(state)
      if (refusal) return { ok: false, status: 401, message: `this API key can no longer be used: ${refusal}` }
      return { ok: true, principal: { keyId: state.id, role: state.role, tenant: state.role === 'admin' ? undefined : state.tenant } }
    },
  }
}

export const mayRead = (principal: ApiPrincipal, tenant: string): boolean => principal.role === 'admin' || principal.tenant === tenant

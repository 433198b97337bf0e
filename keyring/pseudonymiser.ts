// Keyed-hash pseudonyms: HMAC-SHA256 under the tenant's current key, with a type tag in
// the MAC input for domain separation, truncated to 128 bits and prefixed with the key
// version (`p_k3_...`) so rotation is visible. Deterministic within a tenant and version,
// unrelated across tenants. Node's createHmac manages ~0.3M/s, so results are cached.
import { createHmac } from 'node:crypto'

export type PseudonymType = 'id' | 'name' | 'phone' | 'email' | 'sip' | 'ip' | 'session'

export interface TenantKey {
  version: number
  key: Buffer
}

export interface KeySource {
  currentKey(tenant: string): Promise<TenantKey>
}

export interface TenantPseudonymiser {
  readonly tenant: string
  readonly keyVersion: number
  pseudonym(type: PseudonymType, normalisedValue: string): string
}

export function computePseudonym(key: TenantKey, type: PseudonymType, normalisedValue: string): string {
  const mac = createHmac('sha256', key.key).update(type).update('\0').update(normalisedValue).digest()
  return `p_k${key.version}_${mac.subarray(0, 16).toString('base64url')}`
}

/** A bounded map that forgets the oldest entries first (insertion order), so raw values do not linger. */
export class BoundedCache<V> {
  private map = new Map<string, V>()
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    return this.map.get(key)
  }
  set(key: string, value: V): void {
    if (this.map.size >= this.max) {
      const oldest = this.map.keys().next().value
      if (oldest !== undefined) this.map.delete(oldest)
    }
    this.map.set(key, value)
  }
  delete(key: string): void {
    this.map.delete(key)
  }
  clear(): void {
    this.map.clear()
  }
  get size(): number {
    return this.map.size
  }
}

export interface Pseudonymiser {
  forTenant(tenant: string): Promise<TenantPseudonymiser>
}

export function createPseudonymiser(keys: KeySource, options: { cacheSize?: number } = {}): Pseudonymiser {
  const cacheSize = options.cacheSize ?? 100_000
  // One cache per tenant, key version and type: a hit is a single Map look-up on the raw
  // value, with no key string to build (this path runs for every id of every frame).
  const caches = new BoundedCache<Map<PseudonymType, BoundedCache<string>>>(1024)
  const currentScope = new Map<string, string>()
  return {
    async forTenant(tenant) {
      const key = await keys.currentKey(tenant)
      const scope = `${tenant}\0${key.version}`
      // A new key version (rotation, destruction) drops the old version's raw-value cache.
      const previous = currentScope.get(tenant)
      if (previous !== undefined && previous !== scope) caches.delete(previous)
      currentScope.set(tenant, scope)
      let byType = caches.get(scope)
      if (!byType) {
        byType = new Map()
        caches.set(scope, byType)
      }
      const types = byType
      return {
        tenant,
        keyVersion: key.version,
        pseudonym(type, value) {
          let cache = types.get(type)
          if (!cache) {
            cache = new BoundedCache<string>(cacheSize)
            types.set(type, cache)
          }
          let result = cache.get(value)
          if (result === undefined) {
            result = computePseudonym(key, type, value)
            cache.set(value, result)
          }
          return result
        },
      }
    },
  }
}

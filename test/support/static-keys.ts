// An in-memory KeySource for unit tests of pseudonymisation logic; the real keyring
// (NATS KV, sealed keys) is tested against a real nats-server in test/keyring/.
import { randomBytes } from 'node:crypto'
import type { KeySource, TenantKey } from '../../keyring/pseudonymiser.ts'

export function staticKeys(): KeySource {
  const keys = new Map<string, TenantKey>()
  return {
    async currentKey(tenant) {
      if (!keys.has(tenant)) keys.set(tenant, { version: 1, key: randomBytes(32) })
      return keys.get(tenant)!
    },
  }
}

// What the keyring hands out: `{ version, key }` for the pseudonymiser, shaped so that a
// careless log line, JSON.stringify, util.inspect or template string shows the version but
// never the bytes. `key` is non-enumerable (spreads and Object.keys skip it) and the Buffer
// itself renders as hidden; copy it with Buffer.from(key) if the bytes are really needed.
import { inspect } from 'node:util'
import type { TenantKey } from './pseudonymiser.ts'

export type { TenantKey }

export const hiddenKeyText = '[key material hidden]'

export function createTenantKey(version: number, key: Buffer): TenantKey {
  hideBytes(key)
  const tenantKey = { version } as TenantKey
  Object.defineProperties(tenantKey, {
    key: { value: key, enumerable: false },
    toJSON: { value: () => ({ version, key: hiddenKeyText }) },
    toString: { value: () => `TenantKey(version ${version}, ${hiddenKeyText})` },
    [inspect.custom]: { value: () => `TenantKey { version: ${version}, key: ${hiddenKeyText} }` },
  })
  return Object.freeze(tenantKey)
}

// Own properties shadow Buffer.prototype for this one instance only; crypto APIs read the
// bytes directly and are unaffected.
function hideBytes(bytes: Buffer): void {
  Object.defineProperties(bytes, {
    toJSON: { value: () => hiddenKeyText },
    toString: { value: () => hiddenKeyText },
    toLocaleString: { value: () => hiddenKeyText },
    [inspect.custom]: { value: () => `<Buffer ${hiddenKeyText}>` },
  })
}

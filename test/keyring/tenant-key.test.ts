// Unit test: the objects the keyring hands out never show their bytes when logged,
// serialised, inspected or interpolated, yet still work as HMAC keys.
import { createHmac, randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { format, inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../lib/logger.ts'
import { computePseudonym } from '../../keyring/pseudonymiser.ts'
import { createTenantKey, hiddenKeyText } from '../../keyring/tenant-key.ts'

function encodings(bytes: Buffer): string[] {
  return [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('latin1')].map((s) => s.slice(0, 12))
}

describe('tenant key objects', () => {
  const bytes = randomBytes(32)
  const copy = Buffer.from(bytes)
  const tenantKey = createTenantKey(4, bytes)

  it('keep working as an HMAC key', () => {
    expect(tenantKey.version).toBe(4)
    expect(tenantKey.key.equals(copy)).toBe(true)
    expect(createHmac('sha256', tenantKey.key).update('x').digest('hex')).toBe(createHmac('sha256', copy).update('x').digest('hex'))
    expect(computePseudonym(tenantKey, 'id', 'anna')).toBe(computePseudonym({ version: 4, key: copy }, 'id', 'anna'))
  })

  it('show no key material in JSON, inspect, String, format or spreads', () => {
    const renderings = [
      JSON.stringify(tenantKey),
      JSON.stringify({ tenantKey }),
      JSON.stringify(tenantKey.key),
      JSON.stringify([tenantKey]),
      inspect(tenantKey, { showHidden: true, depth: 10 }),
      inspect(tenantKey.key),
      inspect({ nested: { tenantKey, raw: tenantKey.key } }),
      String(tenantKey),
      `${tenantKey.key}`,
      tenantKey.key.toString('hex'),
      format('%s %o %O %j', tenantKey, tenantKey, tenantKey.key, tenantKey),
      JSON.stringify({ ...tenantKey }),
      Object.keys(tenantKey).join(','),
    ]
    for (const text of renderings) {
      for (const encoded of encodings(copy)) expect(text).not.toContain(encoded)
    }
    expect(JSON.parse(JSON.stringify(tenantKey))).toEqual({ version: 4, key: hiddenKeyText })
    expect(inspect(tenantKey)).toBe(`TenantKey { version: 4, key: ${hiddenKeyText} }`)
  })

  it('show no key material in pino log lines, even under keys that are not redacted', () => {
    const lines: string[] = []
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString())
        done()
      },
    })
    const log = createLogger('debug', sink)
    log.info({ tenantKey, material: tenantKey.key, list: [tenantKey] }, 'a careless line')
    log.info(`interpolated ${String(tenantKey)} ${tenantKey.key}`)
    expect(lines).toHaveLength(2)
    for (const line of lines) {
      for (const encoded of encodings(copy)) expect(line).not.toContain(encoded)
    }
  })

  it('cannot be changed', () => {
    expect(Object.isFrozen(tenantKey)).toBe(true)
  })
})

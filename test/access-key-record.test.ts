// lib/access-key-store.ts decodeAccessKey: a record read back from JetStream is used only when
// every field that reaches a subject, a header or a query is well-formed, its tenant too (a
// record written by hand into the bucket must not become a tenant name `a.b` or `*`).
import { describe, expect, it } from 'vitest'
import { decodeAccessKey } from '../lib/access-key-store.ts'

const bytes = (value: object) => new TextEncoder().encode(JSON.stringify(value))
const record = (fields: object) => ({ v: 1, id: 'k1a2b3c4d5e6', sha256: 'a'.repeat(64), role: 'ingest', tenant: 'acme', createdAt: '2026-12-01T00:00:00Z', ...fields })

describe('decodeAccessKey', () => {
  it('reads a well-formed record', () => {
    expect(decodeAccessKey(bytes(record({})))).toMatchObject({ tenant: 'acme', role: 'ingest' })
  })

  it('refuses a tenant that is no tenant name, and a tenant key without one', () => {
    for (const tenant of ['a.b', '*', 'Acme', '', 'x'.repeat(64), 7]) expect(decodeAccessKey(bytes(record({ tenant })))).toBeUndefined()
    const { tenant: _, ...withoutTenant } = record({})
    expect(decodeAccessKey(bytes(withoutTenant))).toBeUndefined()
    expect(decodeAccessKey(bytes({ ...withoutTenant, role: 'admin' }))).toMatchObject({ role: 'admin' })
  })
})

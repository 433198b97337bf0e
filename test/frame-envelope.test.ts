import { headers } from '@nats-io/nats-core'
import { describe, expect, it } from 'vitest'
import { encodingOf, envelopeHeaderValues, legacyEnvelopeHeaders, readEnvelope, tenantOf } from '../lib/frame-envelope.ts'

const asHeaders = (fields: Record<string, string>) => {
  const h = headers()
  for (const [name, value] of Object.entries(fields)) h.set(name, value)
  return h
}

describe('frame envelope headers', () => {
  const envelope = { tenant: 'acme', sessionId: 'sess_0123-ab', seq: 42, encoding: 'msgpack' as const, receivedAt: 1_700_000_000_123 }

  it('publishes two headers and reads back the whole envelope', () => {
    const fields = envelopeHeaderValues(envelope)
    expect(Object.keys(fields)).toHaveLength(2)
    expect(readEnvelope(asHeaders(fields))).toEqual(envelope)
    expect(tenantOf(asHeaders(fields))).toBe('acme')
    expect(encodingOf(asHeaders(fields))).toBe('msgpack')
  })

  it('still reads the six headers of earlier versions', () => {
    const h = legacyEnvelopeHeaders
    const legacy = asHeaders({ [h.tenant]: 'acme', [h.session]: 'sess_0123-ab', [h.seq]: '42', [h.encoding]: 'json', [h.receivedAt]: '1700000000123' })
    expect(readEnvelope(legacy)).toEqual({ ...envelope, encoding: 'json' })
    expect(encodingOf(legacy)).toBe('json')
  })

  it('refuses headers that do not make an envelope', () => {
    const good = envelopeHeaderValues(envelope)
    expect(readEnvelope(undefined)).toBeUndefined()
    expect(readEnvelope(asHeaders({}))).toBeUndefined()
    expect(readEnvelope(asHeaders({ ...good, 'Nats-Msg-Id': 'acme:sess' }))).toBeUndefined()
    expect(readEnvelope(asHeaders({ ...good, 'Nats-Msg-Id': 'acme:sess:x' }))).toBeUndefined()
    expect(readEnvelope(asHeaders({ ...good, 'Callmask-Frame': 'cbor 1' }))).toBeUndefined()
    expect(readEnvelope(asHeaders({ ...good, 'Callmask-Frame': 'json' }))).toBeUndefined()
  })
})

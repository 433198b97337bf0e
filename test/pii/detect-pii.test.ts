import { describe, expect, it } from 'vitest'
import { detectPii, replaceSpans } from '../../pii/detect-pii.ts'

const masked = (text: string, opts = {}) => replaceSpans(text, detectPii(text, opts), (s) => `<${s.kind}>`)

describe('detectPii', () => {
  it('combines detectors into sorted, disjoint spans', () => {
    expect(masked('room-+4917612345678-anna-schmidt from 203.0.113.7')).toBe('room-<phone>-<name> from <ip>')
  })
  it('prefers the more specific span on overlap', () => {
    expect(masked('anna.schmidt@example.com')).toBe('<email>')
    expect(masked('sip:anna.schmidt@pbx.example.com')).toBe('sip:<sip>@pbx.example.com')
    expect(masked('sips:+4917612345678@example.com;user=phone')).toBe('sips:<phone>@example.com;user=phone')
  })
  it('honours allow and deny lists', () => {
    expect(masked('Anna Schmidt', { allow: new Set(['anna schmidt']) })).toBe('Anna Schmidt')
    expect(masked('anna-42 sales', { deny: new Set(['anna']) })).toBe('<name>-42 sales')
    expect(masked('joanna-42', { deny: new Set(['anna']) })).toBe('joanna-42')
  })
  it('returns nothing for opaque ids', () => {
    for (const id of ['PC-12', '2938475610', '550e8400-e29b-41d4-a716-446655440000', '{a1b2c3d4}']) expect(detectPii(id)).toEqual([])
  })
  it('replaceSpans rejects overlapping spans', () => {
    const s = { kind: 'name' as const, start: 0, end: 3, normalised: 'x' }
    expect(() => replaceSpans('abcdef', [s, { ...s, start: 2 }], () => '')).toThrow(RangeError)
  })
})

// Regression: `PC-as1987@example.com-1` was stored as is (the e-mail's end was not a
// boundary before `-`). Every separator an id uses, on both sides, for every kind.
describe('identifiers embedded in ids with every separator', () => {
  const separators = ['-', '_', '.', ':', '/', '|', '#', '[', ']', '(', ')', ' ', ',', ';', '=']
  const identifiers = [
    ['email', 'as1987@example.com'],
    ['phone', '+4917612345678'],
    ['phone', '+49 176 1234 5678'],
    ['sip', 'sip:anna@example.com'],
    ['phone', 'tel:+4917612345678'],
  ] as const
  it.each(identifiers)('finds a %s (%s) after and before each separator', (kind, identifier) => {
    const raw = identifier.replace(/^(sip|tel):/, '')
    const personal = kind === 'sip' ? 'anna' : raw
    for (const before of separators) {
      for (const after of separators) {
        const text = `PC${before}${identifier}${after}1`
        const out = masked(text)
        expect(out, text).not.toContain(personal)
        expect(out, text).toContain(`<${kind}>`)
      }
    }
  })
  it('the reported case (a local part may hold "-", so the address is taken from PC- on)', () => {
    expect(masked('PC-as1987@example.com-1')).toBe('<email>-1')
  })
  it('a tel: URI written with spaces is one phone span, not a fragment', () => {
    expect(masked('TEL:+49 176 1234 5678')).toBe('TEL:<phone>')
  })
})

describe('look-alike characters and bracketed country codes', () => {
  it.each(['+４９ １７６ １２３４５６７８', '+49\u2007176 12345678', '+49\u2011176\u20111234\u20115678', '(+49) 176 12345678', '(0049) 176 12345678'])('finds %j as +4917612345678', (text) => {
    const spans = detectPii(text)
    expect(spans.map((s) => s.normalised)).toEqual(['+4917612345678'])
  })
})

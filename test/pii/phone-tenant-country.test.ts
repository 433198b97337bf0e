// Regression: with a tenant country set, the national pattern had no right-hand boundary:
// about a tenth of random UUIDs (8% with DE) gave a "phone", and hex ids, dates and version
// strings read as national numbers. Measured here over seeded negatives for twelve countries,
// next to the recall on each country's own national and `00` forms, which must not suffer.
import { getExampleNumber, type CountryCode } from 'libphonenumber-js/max'
import examples from 'libphonenumber-js/mobile/examples'
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../bench/identifier-mix.ts'
import { detectPhones } from '../../pii/phone-detector.ts'

const countries: CountryCode[] = ['DE', 'GB', 'US', 'FR', 'IT', 'ES', 'NL', 'IN', 'BR', 'JP', 'PL', 'SE']
const rand = mulberry32(20261201)
const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('')
const uuids = Array.from({ length: 2000 }, () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`)
const hexIds = Array.from({ length: 1000 }, () => hex(24))
const dates = ['01.02.2023', '31.12.2024', '2024-05-06', '06/05/2024', '12.03.21', '2026-12-01T21:50:34Z', '1.2.3456789', 'v10.24.1234567', 'build-2024.05.06.1234']
const zeroPadded = Array.from({ length: 200 }, (_, i) => `ORD-${String(1000 + i * 37).padStart(10, '0')}`)

describe('phones under a tenant country', () => {
  it.each(countries)('%s: no UUID or hex id is ever a phone; dates, versions and zero-padded ids neither', (country) => {
    const flagged = (values: string[]) => values.filter((v) => detectPhones(v, country).length > 0)
    expect(flagged(uuids)).toEqual([])
    expect(flagged(hexIds)).toEqual([])
    expect(flagged(dates)).toEqual([])
    expect(flagged(zeroPadded)).toEqual([])
    expect(flagged(uuids.map((u) => `{${u}}`))).toEqual([])
    expect(flagged(uuids.map((u) => `call-${u}-2`))).toEqual([])
  })

  it.each(countries)("%s: the country's own national and 00 forms are still found", (country) => {
    const example = getExampleNumber(country, examples)!
    const national = example.formatNational()
    const international = example.formatInternational().replace(/^\+/, '00')
    for (const written of [national, `room-${national}`, `${national}-daily`, international]) {
      expect(detectPhones(written, country).map((s) => s.normalised), `${country} ${written}`).toEqual([example.number])
    }
  })
})

describe('a leading group the national format has not', () => {
  it('is read only as the country code or the trunk prefix', () => {
    expect(detectPhones('1 201 555 0123', 'US').map((s) => s.normalised)).toEqual(['+12015550123'])
    expect(detectPhones('49 176 12345678', 'DE').map((s) => s.normalised)).toEqual(['+4917612345678'])
    expect(detectPhones('8 912 345 67 89', 'RU').map((s) => s.normalised)).toEqual(['+79123456789'])
    expect(detectPhones('9 201 555 0123', 'US')).toEqual([])
  })

  it('dashed hex keys that are no UUID hold no national number', () => {
    expect(detectPhones('a1b2-0176-1234-5678', 'DE')).toEqual([])
    expect(detectPhones('room-0176-1234567', 'DE').map((s) => s.normalised)).toEqual(['+491761234567'])
  })
})

// Property-style check (seeded generator; fast-check is not installed): with a tenant
// country set, no UUID, hex id or dashed hex key is ever a phone, for 10,000 random values of
// each shape and each of six countries. Then the trade-off the national pattern makes,
// measured and printed: recall per way of writing a national number, next to what the
// rejected alternatives (any valid bare digit run; country code without `+`) would flag
// among random numeric ids, epoch timestamps and zero-padded order numbers.
import parsePhoneNumber, { getExampleNumber, type CountryCode } from 'libphonenumber-js/max'
import examples from 'libphonenumber-js/mobile/examples'
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../bench/identifier-mix.ts'
import { detectPhones } from '../../pii/phone-detector.ts'

const COUNTRIES: CountryCode[] = ['DE', 'US', 'GB', 'FR', 'IN', 'BR']
const N = 10_000

function idShapes(seed: number): Record<string, string[]> {
  const rand = mulberry32(seed)
  const int = (n: number) => Math.floor(rand() * n)
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[int(16)]).join('')
  const uuid = () => `${hex(8)}-${hex(4)}-${'14'[int(2)]}${hex(3)}-${'89ab'[int(4)]}${hex(3)}-${hex(12)}`
  const prefixes = ['call-', 'sess_', 'room/', 'peer:', 'conf-', '']
  const suffixes = ['', '-2', '_1', '/audio', '.json', ' ']
  const many = (f: () => string) => Array.from({ length: N }, f)
  // A hex id is told from a digit run by its letters: an all-digit draw (`09391243`) is a
  // digit run and, with a trunk zero, a valid national number (`0627-1305-0786` too); it is drawn again.
  const hexId = (n: number) => { for (;;) { const h = hex(n); if (/[a-f]/.test(h)) return h } }
  return {
    uuid: many(uuid),
    'UUID upper, braced': many(() => `{${uuid().toUpperCase()}}`),
    'uuid in an id': many(() => `${prefixes[int(6)]}${uuid()}${suffixes[int(6)]}`),
    'hex 8-40': many(() => `${prefixes[int(6)]}${hexId(8 + int(33))}${suffixes[int(6)]}`),
    'dashed hex key': many(() => { for (;;) { const k = Array.from({ length: 3 + int(3) }, () => hex(4 + int(5))).join('-'); if (/[a-f]/.test(k)) return k } }),
  }
}

describe('phones under a tenant country: ids are never phones (10,000 random values per shape)', () => {
  const shapes = idShapes(20261202)
  it.each(COUNTRIES)('%s', (country) => {
    for (const [shape, values] of Object.entries(shapes)) {
      // Only values with a plausible digit run are interesting; all are run, the count is printed.
      const flagged = values.filter((v) => detectPhones(v, country).length > 0)
      expect(flagged.slice(0, 5), `${country} ${shape}: ${flagged.length}/${values.length}`).toEqual([])
    }
  })
})

/** Ways of writing one national number, as people put them into identifiers. */
function writings(n: ReturnType<typeof parsePhoneNumber> & object): Record<string, string> {
  const cc = n.countryCallingCode
  const intl = n.formatInternational().replace(/^\+/, '')
  return {
    'national format': n.formatNational(),
    'national format, digits only': n.formatNational().replace(/\D/g, ''),
    'national, grouped, no trunk': intl.slice(cc.length + 1),
    'national, bare, no trunk': n.nationalNumber,
    'country code, grouped, no +': intl,
    'country code, bare, no +': cc + n.nationalNumber,
    '00 form': `00${intl}`,
  }
}

function numbersOf(country: CountryCode, rand: () => number, count: number) {
  const example = getExampleNumber(country, examples)!
  const out = []
  for (let tries = 0; out.length < count && tries < count * 50; tries++) {
    const national = example.nationalNumber.slice(0, -4) + String(Math.floor(rand() * 10_000)).padStart(4, '0')
    const p = parsePhoneNumber(national, country)
    if (p?.isValid() === true) out.push(p)
  }
  return out
}

describe('phones under a tenant country: the national-number trade-off, measured', () => {
  it('prints recall per writing and false positives of each alternative on numeric ids', () => {
    const rand = mulberry32(7)
    const lines: string[] = []
    const recall = new Map<string, { hit: number; all: number }>()
    for (const country of COUNTRIES) {
      for (const n of numbersOf(country, rand, 200)) {
        for (const [w, text] of Object.entries(writings(n))) {
          const r = recall.get(w) ?? { hit: 0, all: 0 }
          r.all++
          if (detectPhones(`room-${text}-daily`, country).some((s) => s.normalised === n.number)) r.hit++
          recall.set(w, r)
        }
      }
    }
    for (const [w, r] of recall) lines.push(`  ${w.padEnd(30)} R ${(r.hit / r.all).toFixed(3)} (${r.hit}/${r.all})`)
    // Negatives: digit runs that are ids, not phones.
    const negatives: string[] = []
    for (let i = 0; i < 2000; i++) {
      const len = 7 + Math.floor(rand() * 9)
      negatives.push(String(Math.floor(rand() * 9) + 1) + Array.from({ length: len - 1 }, () => Math.floor(rand() * 10)).join(''))
      negatives.push(String(1_500_000_000 + Math.floor(rand() * 300_000_000)), String(1_500_000_000_000 + Math.floor(rand() * 3e11)))
      negatives.push(String(Math.floor(rand() * 1e6)).padStart(10, '0'))
    }
    for (const country of COUNTRIES) {
      const cc = parsePhoneNumber(getExampleNumber(country, examples)!.number)!.countryCallingCode
      const chosen = negatives.filter((v) => detectPhones(`order-${v}`, country).length > 0).length
      const bare = negatives.filter((v) => parsePhoneNumber(v, country)?.isValid() === true).length
      const ccBare = negatives.filter((v) => v.startsWith(cc) && parsePhoneNumber('+' + v)?.isValid() === true).length
      const pct = (k: number) => `${(100 * k / negatives.length).toFixed(1)}%`
      lines.push(`  ${country}: numeric ids flagged: chosen rule ${pct(chosen)}; accepting any valid bare national run ${pct(bare)}; accepting bare country-code digits ${pct(ccBare)} (${negatives.length} ids)`)
      expect(chosen).toBe(0)
    }
    console.log(`phones with a tenant country (${COUNTRIES.join(', ')}), numbers inside room-…-daily:\n${lines.join('\n')}`)
    expect(recall.get('national format')!.hit / recall.get('national format')!.all).toBeGreaterThan(0.95)
  })
})

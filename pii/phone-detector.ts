// Finds telephone numbers and normalises them to E.164 so that every spelling
// of one number hashes to one pseudonym.
//
// International forms (`+`, `00`) are always looked for. National forms are
// read only with the tenant's country (we never guess a region), and then only
// when the writing itself says "phone": a leading trunk `0`, or separators that
// fall where the country's own format puts them. A bare digit run without `+`
// or `00` is therefore never a phone number on its own: SSRCs, numeric ids,
// epoch timestamps and ports stay untouched.
import parsePhoneNumber, { getCountryCallingCode } from 'libphonenumber-js/max'
import type { CountryCode, PhoneNumber } from 'libphonenumber-js/max'
import type { PiiSpan } from './span.ts'

/** E.164 numbers have at most 15 digits; the shortest real ones have 7. */
const MIN_DIGITS = 7
const MAX_DIGITS = 15
/** Trailing groups tried away per candidate; bounds the parses an adversarial value costs. */
const maxDroppedGroups = 6

// A group is a digit run or a bracketed area code; separators (at most three
// characters, so ` - ` passes) are only taken when another group follows.
const GROUP = String.raw`(?:\d+|\(\d{1,5}\))`
// `_` is not a separator: `peer_+43664123456_1` (an id's own suffix) is far more common than
// `+49_176_1234_5678`, and variable-length numbers would swallow the suffix.
const SEP = String.raw`[ .\-\/\u00a0]{1,3}`
const BODY = String.raw`${GROUP}(?:${SEP}(?=\d|\(\d{1,5}\))|${GROUP})*`
const INTL_RE = new RegExp(String.raw`(?:\+[ \u00a0]?(?=[\d(])|(?<![0-9A-Za-z])00(?=[1-9]))${BODY}`, 'g')
const NATIONAL_RE = new RegExp(String.raw`(?<![0-9A-Za-z+])${BODY}`, 'g')
const GROUP_RE = /\d+|\(\d+\)/g

// Digit runs that are parts of something else, never a phone read without `+`: UUIDs and hex
// ids (with a tenant country about a tenth of random UUIDs held a "national number"), dates
// and version strings. Only the `00` and national forms are vetoed: a `+` is not in them.
const NOT_A_PHONE_RE = new RegExp(
  [
    String.raw`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`, // UUID
    // dashed hex groups that are not a UUID (`a1b2-0176-1234-5678`, keys, trace ids): a letter in one group
    String.raw`(?<![0-9a-z-])(?=[0-9a-f-]*[a-f])[0-9a-f]{4,}(?:-[0-9a-f]{4,}){2,}(?![0-9a-z-])`,
    String.raw`(?<![0-9a-z])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{8,}(?![0-9a-z])`, // hex id
    String.raw`(?<!\d)\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})(?!\d)`, // 31.12.2024, 06/05/24
    String.raw`(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)`, // 2024-05-06
    String.raw`(?<![\d.])v?\d+(?:\.\d+){2,}(?![\d.])`, // 1.2.3456789
  ].join('|'),
  'gi',
)

/** Ranges of `text` no `00`/national phone may overlap. */
function vetoedRanges(text: string): [number, number][] {
  const ranges: [number, number][] = []
  NOT_A_PHONE_RE.lastIndex = 0
  for (let m = NOT_A_PHONE_RE.exec(text); m !== null; m = NOT_A_PHONE_RE.exec(text)) ranges.push([m.index, m.index + m[0].length])
  return ranges
}

const ALNUM_RE = /[0-9A-Za-z]/
/** A candidate that runs straight into letters or digits is part of a longer token (a hex id). */
const runsOn = (text: string, end: number) => end < text.length && ALNUM_RE.test(text.charAt(end))

interface Group { digits: string; end: number; bracketed: boolean }

export interface PhoneDetector {
  detect(text: string, defaultCountry?: CountryCode): PiiSpan[]
}

export function createPhoneDetector(): PhoneDetector {
  return { detect: detectPhones }
}

export function detectPhones(text: string, defaultCountry?: CountryCode): PiiSpan[] {
  // Prefilter: a few native scans keep non-candidates (the vast majority of
  // telemetry ids) from ever reaching a regex or libphonenumber.
  if (text.length < MIN_DIGITS) return []
  const hasIntlMark = text.includes('+') || text.includes('00')
  if (!hasIntlMark && defaultCountry === undefined) return []
  if (countDigits(text) < MIN_DIGITS) return []

  const spans: PiiSpan[] = []
  let vetoed: [number, number][] | undefined
  const isVetoed = (start: number, end: number) => (vetoed ??= vetoedRanges(text)).some(([a, b]) => start < b && a < end)
  if (hasIntlMark) {
    INTL_RE.lastIndex = 0
    for (let m = INTL_RE.exec(text); m !== null; m = INTL_RE.exec(text)) {
      const prefixLength = m[0].startsWith('+') ? 1 : 2
      if (prefixLength === 2 && (runsOn(text, m.index + m[0].length) || isVetoed(m.index, m.index + m[0].length))) continue
      const span = longestValid(m[0], m.index, prefixLength, (digits) => {
        const p = digits.length <= MAX_DIGITS ? parsePhoneNumber('+' + digits) : undefined
        return p?.isValid() === true ? p : undefined
      })
      if (span !== undefined) spans.push(span)
    }
  }
  if (defaultCountry !== undefined) {
    NATIONAL_RE.lastIndex = 0
    for (let m = NATIONAL_RE.exec(text); m !== null; m = NATIONAL_RE.exec(text)) {
      const start = m.index
      const end = start + m[0].length
      if (m[0].startsWith('00') || spans.some((s) => start < s.end && s.start < end)) continue
      if (runsOn(text, end) || isVetoed(start, end)) continue
      const span = longestValid(m[0], start, 0, (digits, groups) =>
        nationalNumber(digits, groups, defaultCountry))
      if (span !== undefined) spans.push(span)
    }
    spans.sort((a, b) => a.start - b.start)
  }
  return spans
}

/**
 * Tries the whole candidate, then drops trailing groups one by one, so that
 * `+49 176 1234 5678-1699999999` still yields the phone and not nothing.
 */
function longestValid(
  match: string,
  offset: number,
  prefixLength: number,
  validate: (digits: string, groups: readonly Group[]) => PhoneNumber | undefined,
): PiiSpan | undefined {
  const groups = splitGroups(match, prefixLength)
  // Only the groups that fit in a phone number's length are worth trying: a candidate of
  // hundreds of digit groups (`+1 2 2 2 …`) must cost one pass, not one per group.
  let fitting = 0
  for (let total = 0; fitting < groups.length && (total += groups[fitting]!.digits.length) <= MAX_DIGITS + 2; ) fitting++
  // And at most a few trailing groups are dropped (`…5678-1699999999`): each try is a parse.
  for (let n = fitting; n > Math.max(0, fitting - maxDroppedGroups); n--) {
    const used = groups.slice(0, n)
    const digits = used.map((g) => g.digits).join('')
    if (digits.length < MIN_DIGITS) return undefined
    const phone = validate(digits, used)
    if (phone !== undefined) {
      return { kind: 'phone', start: offset, end: offset + used[n - 1]!.end, normalised: phone.number }
    }
  }
  return undefined
}

function splitGroups(match: string, from: number): Group[] {
  const groups: Group[] = []
  GROUP_RE.lastIndex = from
  for (let m = GROUP_RE.exec(match); m !== null; m = GROUP_RE.exec(match)) {
    const bracketed = m[0].charCodeAt(0) === 40 /* ( */
    const digits = bracketed ? m[0].slice(1, -1) : m[0]
    // `+49 (0) 176 …`: the bracketed trunk zero is a reading aid, not a digit.
    if (bracketed && digits === '0' && groups.length > 0) continue
    groups.push({ digits, end: m.index + m[0].length, bracketed })
  }
  return groups
}

function nationalNumber(digits: string, groups: readonly Group[], country: CountryCode): PhoneNumber | undefined {
  // The tenant's country code without `+` (`49 176 12345678`), grouped exactly as the
  // international format groups it: read as international, where the national reading of
  // the same digits is another (valid) number.
  const cc = getCountryCallingCode(country)
  if (groups.length >= 3 && groups[0]!.digits === cc) {
    const intl = parsePhoneNumber('+' + digits)
    if (intl?.isValid() === true && sameGroups(groups.map((g) => g.digits), intl.formatInternational(), 0, false)) return intl
  }
  const p = parsePhoneNumber(digits, country)
  if (p === undefined || !p.isValid()) return undefined
  // A leading trunk zero is how people write national numbers; ids never start with 0.
  if (digits.charCodeAt(0) === 48) return p
  if (groups.length < 2) return undefined // a bare digit run: an id, not a phone
  const written = groups.map((g) => g.digits)
  // A leading group the format has not is the country code (`49 176 …`) or the trunk prefix
  // (`1 201 …`, `8 912 …`), nothing else: `9 201 555 0123` is no US number.
  const lead = written[0]!
  const leadOk = lead === cc || digits.slice(lead.length) === p.nationalNumber
  return sameGroups(written, p.formatNational(), 0, leadOk) || sameGroups(written, p.formatInternational(), 1, leadOk) ? p : undefined
}

/** True when the digits were grouped the way the country's own format groups them. */
function sameGroups(written: readonly string[], formatted: string, skipFormatted: number, leadOk: boolean): boolean {
  const expected = formatted.match(/\d+/g)?.slice(skipFormatted) ?? []
  const offset = written.length - expected.length
  if (offset < 0 || offset > 1 || (offset === 1 && !leadOk)) return false // at most one leading trunk/country group
  for (let i = 0; i < expected.length; i++) if (written[i + offset] !== expected[i]) return false
  return true
}

function countDigits(text: string): number {
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) n++
  }
  return n
}

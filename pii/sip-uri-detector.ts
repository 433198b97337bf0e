// Finds the personal part of SIP, SIPS and tel URIs.
//
// Decision: the span covers the USER PART only (`sip:[anna.schmidt]@pbx.example.com`,
// `tel:[+49-176-1234-5678]`). The scheme and host stay readable because they
// describe the tenant's infrastructure, not the person, and analysts need them
// (which PBX, which trunk). A host that is an IP is left to the IP detector.
// The normalised value still includes the host (`anna.schmidt@pbx.example.com`),
// because `anna` on two PBXs are two people; the scheme is dropped so that sip:
// and sips: agree. A user part that is a valid phone number becomes kind
// 'phone' in E.164, so it shares its pseudonym with the same number elsewhere.
import parsePhoneNumber from 'libphonenumber-js/max'
import type { CountryCode } from 'libphonenumber-js/max'
import type { PiiSpan } from './span.ts'

// A tel: number may be written with spaces (`tel:+49 176 1234 5678`): its user part runs on
// over separators as long as digits follow, so the whole number is one span.
const URI_RE = /(?<![A-Za-z0-9])(sips?|tel):((?<=tel:)\+?\d[\d\s().\-]*\d(?!\d)|[^\s@;?:<>,"'\/\[\]]+)(@[^\s;?<>,"'\/]+)?/gi
const VISUAL_SEPARATORS_RE = /[\s().\-]/g
/** Longer tel: user parts are not cut into candidate numbers (each cut costs a parse). */
const maxCutLength = 40
/** The last separator-led group of a user part: where an id's own suffix may begin. */
const idSuffixRe = /[\s().\-_|#=,][^\s().\-_|#=,]*$/

export function detectSipUris(text: string, defaultCountry?: CountryCode): PiiSpan[] {
  if (!text.includes(':')) return []
  const spans: PiiSpan[] = []
  URI_RE.lastIndex = 0
  for (let m = URI_RE.exec(text); m !== null; m = URI_RE.exec(text)) {
    const scheme = (m[1] ?? '').toLowerCase()
    const user = m[2] ?? ''
    const host = m[3]
    if (scheme !== 'tel' && host === undefined) continue // `sip:pbx.example.com` names a host, not a person
    const start = m.index + scheme.length + 1
    // A tel: number followed by an id's own suffix (`tel:+49...-1`): the longest prefix
    // that is a valid number is the phone; the suffix stays readable.
    let phone = asPhone(user, defaultCountry)
    let length = user.length
    // Bounded: a number has at most 17 digits, so only a short user part is worth cutting.
    if (phone === undefined && scheme === 'tel' && user.length <= maxCutLength) {
      for (let cut = user.search(idSuffixRe); cut > 0 && phone === undefined; cut = user.slice(0, cut).search(idSuffixRe)) {
        phone = asPhone(user.slice(0, cut), defaultCountry)
        if (phone !== undefined) length = cut
      }
    }
    const end = start + length
    if (phone !== undefined) {
      spans.push({ kind: 'phone', start, end, normalised: phone })
    } else if (scheme === 'tel') {
      spans.push({ kind: 'sip', start, end, normalised: 'tel:' + user.replace(VISUAL_SEPARATORS_RE, '').toLowerCase() })
    } else {
      const hostName = (host ?? '').slice(1).replace(/:\d+$/, '')
      spans.push({ kind: 'sip', start, end, normalised: `${user}@${hostName}`.toLowerCase() })
    }
  }
  return spans
}

/** E.164 of a user part that is a phone number (`+49…`, `0049…`, or national with the tenant's country). */
function asPhone(user: string, defaultCountry: CountryCode | undefined): string | undefined {
  const digits = user.replace(VISUAL_SEPARATORS_RE, '')
  if (!/^\+?\d{7,17}$/.test(digits)) return undefined
  let candidate: string | undefined
  if (digits.startsWith('+')) candidate = digits
  else if (digits.startsWith('00')) candidate = '+' + digits.slice(2)
  const p = candidate !== undefined
    ? parsePhoneNumber(candidate)
    : defaultCountry !== undefined && digits.startsWith('0') ? parsePhoneNumber(digits, defaultCountry) : undefined
  return p?.isValid() === true ? p.number : undefined
}

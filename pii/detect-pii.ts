// Runs every PII detector over one value and returns non-overlapping spans,
// sorted by start, ready for pseudonymisation. Pure and synchronous.
//
// Overlaps are settled by specificity first, then length: a tenant's deny
// entry beats everything; a SIP/tel user part beats the e-mail-looking
// `user@host` around it; an e-mail beats the name or phone inside its local
// part; then IPs, phones, and names last. Allow-listed values are never
// flagged, deny-listed words always are (as kind 'name').
import { detectEmails } from './email-detector.ts'
import { detectIps } from './ip-detector.ts'
import { detectNames } from './name-detector.ts'
import { loadNameLexicon } from './names-lexicon.ts'
import { detectPhones } from './phone-detector.ts'
import { detectSipUris } from './sip-uri-detector.ts'
import type { DetectOptions, PiiSpan } from './span.ts'

interface Candidate { span: PiiSpan; rank: number }

// The name lexicon (~150-250 ms to decode) loads on the first turn of the event loop after
// this module is imported, not inside the first frame's detection: a process that imports
// the detectors at start-up has it ready before its first message. Code that calls a
// detector synchronously right after import still loads it then, once (loadNameLexicon caches).
setTimeout(() => { loadNameLexicon() }, 0).unref()

const RANK = { deny: 6, sip: 5, email: 4, ip: 3, phone: 2, name: 1 } as const
const WORD_CHAR_RE = /[\p{L}\p{N}]/u

// Look-alike characters become their ASCII form, one UTF-16 unit for one, so the spans
// found in the mapped text are valid in the original: full-width digits and plus, Unicode
// dashes and minus, no-break and other typographic spaces.
const LOOKALIKE_RE = /[\uFF10-\uFF19\uFF0B\u2010-\u2015\u2212\u00A0\u2000-\u200A\u202F\u205F\u3000]/g
function asciiLookalikes(text: string): string {
  return text.replace(LOOKALIKE_RE, (c) => {
    const code = c.charCodeAt(0)
    if (code >= 0xff10 && code <= 0xff19) return String.fromCharCode(code - 0xff10 + 48)
    if (code === 0xff0b) return '+'
    if ((code >= 0x2010 && code <= 0x2015) || code === 0x2212) return '-'
    return ' '
  })
}

// `(+49) 176...` and `(0049) 176...`: the bracketed country code becomes ` +49 ` (same length).
const BRACKETED_CC_RE = /\((\+|00)(\d{1,3})\)/g

export function detectPii(input: string, opts?: DetectOptions): PiiSpan[] {
  let text = LOOKALIKE_RE.test(input) ? asciiLookalikes(input) : input
  LOOKALIKE_RE.lastIndex = 0
  if (text.includes('(')) text = text.replace(BRACKETED_CC_RE, ' $1$2 ')
  const country = opts?.defaultCountry
  const denied = opts?.deny !== undefined && opts.deny.size > 0 ? findDenied(text, opts.deny) : NONE
  const sip = detectSipUris(text, country)
  const email = detectEmails(text)
  const ip = detectIps(text)
  const phone = detectPhones(text, country)
  const name = detectNames(text)
  const total = denied.length + sip.length + email.length + ip.length + phone.length + name.length
  if (total === 0) return [] // the common case for opaque ids: no further allocation

  const candidates: Candidate[] = []
  const allow = opts?.allow !== undefined && opts.allow.size > 0 ? opts.allow : undefined
  const add = (spans: readonly PiiSpan[], rank: number) => {
    for (const span of spans) if (rank === RANK.deny || allow === undefined || !isAllowed(text, span, allow)) candidates.push({ span, rank })
  }
  add(denied, RANK.deny)
  add(sip, RANK.sip)
  add(email, RANK.email)
  add(ip, RANK.ip)
  add(phone, RANK.phone)
  add(name, RANK.name)
  if (candidates.length <= 1) return candidates.map((c) => c.span)
  return resolveOverlaps(candidates)
}

const NONE: readonly PiiSpan[] = []

/** Greedy by rank, then length: each accepted span excludes everything it touches. */
function resolveOverlaps(candidates: Candidate[]): PiiSpan[] {
  candidates.sort((a, b) => b.rank - a.rank || (b.span.end - b.span.start) - (a.span.end - a.span.start) || a.span.start - b.span.start)
  const accepted: PiiSpan[] = []
  for (const { span } of candidates) {
    if (accepted.some((s) => span.start < s.end && s.start < span.end)) continue
    accepted.push(span)
  }
  return accepted.sort((a, b) => a.start - b.start)
}

function isAllowed(text: string, span: PiiSpan, allow: ReadonlySet<string>): boolean {
  return allow.has(span.normalised) || allow.has(text.slice(span.start, span.end).toLowerCase())
}

/** Whole-word, case-insensitive occurrences of the tenant's deny entries. */
function findDenied(text: string, deny: ReadonlySet<string>): PiiSpan[] {
  const lower = text.toLowerCase()
  const spans: PiiSpan[] = []
  for (const entry of deny) {
    if (entry === '') continue
    for (let at = lower.indexOf(entry); at >= 0; at = lower.indexOf(entry, at + 1)) {
      const end = at + entry.length
      if (WORD_CHAR_RE.test(text.charAt(at - 1)) || WORD_CHAR_RE.test(text.charAt(end))) continue
      spans.push({ kind: 'name', start: at, end, normalised: entry })
    }
  }
  return spans
}

/** Rebuilds text with each span replaced; spans must be sorted and disjoint, as detectPii returns them. */
export function replaceSpans(text: string, spans: readonly PiiSpan[], replacement: (span: PiiSpan) => string): string {
  if (spans.length === 0) return text
  let out = ''
  let at = 0
  for (const span of spans) {
    if (span.start < at) throw new RangeError('replaceSpans: spans overlap or are not sorted by start')
    out += text.slice(at, span.start) + replacement(span)
    at = span.end
  }
  return out + text.slice(at)
}

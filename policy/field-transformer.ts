// The three things a policy can do to a string value, for one tenant and key version:
// pseudonymise it whole, replace each detected personal span with its pseudonym, or
// truncate the IP addresses in it. Identifiers repeat in every frame of a call, so
// results are cached (bounded); a hit costs one Map look-up.
import { detectIps, truncateIp } from '../pii/ip-detector.ts'
import { detectPii, replaceSpans } from '../pii/detect-pii.ts'
import type { DetectOptions, PiiSpan } from '../pii/span.ts'
import { BoundedCache, type PseudonymType, type TenantPseudonymiser } from '../keyring/pseudonymiser.ts'

export interface FieldTransformer {
  scrub(value: string): string
  pseudonymise(value: string, type: Extract<PseudonymType, 'id' | 'name'>): string
  truncateIps(value: string): string
}

/** Names compare equal however they were typed: Unicode-normalised, trimmed, case-folded. */
export const normaliseName = (name: string): string => name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase()

const spanPseudonymType = (span: PiiSpan): PseudonymType => span.kind

/** Longer values are not cached (the caches would hold megabytes of raw text). */
const maxCachedLength = 256
/** Longer values under `detect` are pseudonymised whole: no identifier the schema allows is
 * longer (ids are at most 256 characters), and a frame full of long digit-laden values must
 * not cost the processor seconds. */
const maxDetectLength = 256

// What may surround the one span of a value that is "just" that identifier: a URI scheme
// and, for SIP, the host and parameters (`<sip:+49...@pbx.example.com;user=phone>`).
const uriPrefixRe = /^\s*<?\s*(?:(?:sips?|tel|mailto):)?$/i
const uriSuffixRe = /^(?:@[^\s;<>]*)?(?:;[^\s<>]*)?>?\s*$/
const isWholeValue = (before: string, after: string): boolean => uriPrefixRe.test(before) && uriSuffixRe.test(after)

const percentEscapeRe = /%[0-9A-Fa-f]{2}/
const formSpaceRe = /(?<=\p{L})\+(?=\p{L})/gu
/** The value as URL- or form-decoded (`%40` is `@`, `Anna+Schmidt` is `Anna Schmidt`), if it is encoded at all. */
function percentDecoded(value: string): string | undefined {
  const formDecoded = value.replace(formSpaceRe, ' ')
  if (!percentEscapeRe.test(formDecoded)) return formDecoded === value ? undefined : formDecoded
  try {
    return decodeURIComponent(formDecoded)
  } catch {
    return undefined // a lone `%41` or broken UTF-8 escape: not an encoding the client used
  }
}

export function createFieldTransformerFactory(options: { cacheSize?: number } = {}) {
  const cacheSize = options.cacheSize ?? 200_000
  // One transformer per tenant and key version, built once: messages only look it up.
  const scopes = new BoundedCache<{ detect: DetectOptions; transformer: FieldTransformer }>(1024)
  const currentScope = new Map<string, string>()
  return function forTenant(pseudonymiser: TenantPseudonymiser, detect: DetectOptions): FieldTransformer {
    const scope = `${pseudonymiser.tenant}\0${pseudonymiser.keyVersion}`
    // A new key version (rotation, destruction) drops the old version's raw-value caches.
    const previous = currentScope.get(pseudonymiser.tenant)
    if (previous !== undefined && previous !== scope) scopes.delete(previous)
    currentScope.set(pseudonymiser.tenant, scope)
    const found = scopes.get(scope)
    if (found && found.detect === detect) return found.transformer
    const transformer = buildTransformer(pseudonymiser, detect, cacheSize)
    scopes.set(scope, { detect, transformer })
    return transformer
  }
}

/** Per operation one cache, so a hit is one Map look-up. */
function buildTransformer(pseudonymiser: TenantPseudonymiser, detect: DetectOptions, cacheSize: number): FieldTransformer {
  const cached = (cache: BoundedCache<string>, value: string, compute: (value: string) => string): string => {
    if (value.length > maxCachedLength) return compute(value)
    let result = cache.get(value)
    if (result === undefined) {
      result = compute(value)
      cache.set(value, result)
    }
    return result
  }
  const scrub = (value: string): string => {
    if (value.length > maxDetectLength) return pseudonymiser.pseudonym('id', value)
    // Percent-encoded ids (`room%2Fanna.schmidt%40example.com`) hide what the detectors look
    // for: when the decoded text holds personal data, the whole value is pseudonymised.
    const decoded = percentDecoded(value)
    if (decoded !== undefined && detectPii(decoded, detect).length > 0) return pseudonymiser.pseudonym('id', value)
    const spans = detectPii(value, detect)
    return spans.length === 0 ? value : replaceSpans(value, spans, (s) => pseudonymiser.pseudonym(spanPseudonymType(s), s.normalised))
  }
  // A whole value that is a phone number or e-mail is hashed in its canonical form, so
  // an erasure request for "+49 176..." finds it however the customer spelled it, also as
  // a URI: `tel:+49...`, `sip:+49...@pbx` and `+4917612345678` are one subject, one pseudonym.
  const pseudonymiseWhole = (type: 'id' | 'name') => (value: string): string => {
    const spans = value.length > maxDetectLength ? [] : detectPii(value, detect)
    const only = spans.length === 1 ? spans[0] : undefined
    if (only && only.kind !== 'name' && isWholeValue(value.slice(0, only.start), value.slice(only.end))) {
      return pseudonymiser.pseudonym(only.kind, only.normalised)
    }
    return pseudonymiser.pseudonym(type, type === 'name' ? normaliseName(value) : value)
  }
  const truncateIps = (value: string): string => {
    const spans = detectIps(value)
    return spans.length === 0 ? value : replaceSpans(value, spans, (s) => truncateIp(value.slice(s.start, s.end)))
  }
  const scrubCache = new BoundedCache<string>(cacheSize)
  const idCache = new BoundedCache<string>(cacheSize)
  const nameCache = new BoundedCache<string>(cacheSize)
  const ipCache = new BoundedCache<string>(cacheSize)
  const wholeId = pseudonymiseWhole('id')
  const wholeName = pseudonymiseWhole('name')
  return {
    scrub: (value) => cached(scrubCache, value, scrub),
    pseudonymise: (value, type) => (type === 'name' ? cached(nameCache, value, wholeName) : cached(idCache, value, wholeId)),
    truncateIps: (value) => cached(ipCache, value, truncateIps),
  }
}

/**
 * A transformer for one frame that scans at most `budgetChars` characters for personal spans;
 * values past the budget are pseudonymised whole instead. A frame full of long, digit-laden
 * values (hundreds of microseconds each to scan) would otherwise hold the processor's event
 * loop for a second and more; normal frames scan a few thousand characters.
 */
export function withScanBudget(transformer: FieldTransformer, budgetChars: number): FieldTransformer {
  let remaining = budgetChars
  return {
    scrub(value) {
      if (value.length <= remaining) {
        remaining -= value.length
        return transformer.scrub(value)
      }
      remaining = 0
      return transformer.pseudonymise(value, 'id')
    },
    pseudonymise: (value, type) => transformer.pseudonymise(value, type),
    truncateIps: (value) => transformer.truncateIps(value),
  }
}

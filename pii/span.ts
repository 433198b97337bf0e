// The one vocabulary every PII detector speaks: a half-open [start, end) range
// of the input plus the canonical value the pseudonymiser will hash.
import type { CountryCode } from 'libphonenumber-js/max'

export type { CountryCode }

export type PiiKind = 'phone' | 'email' | 'sip' | 'ip' | 'name'

export interface PiiSpan {
  kind: PiiKind
  /** Offset of the first UTF-16 code unit of the span. */
  start: number
  /** Offset one past the last code unit (half-open, like String#slice). */
  end: number
  /**
   * Canonical form to hash, so that every spelling of one value gets one
   * pseudonym: E.164 for phones, lower case for e-mails and SIP user@host,
   * the address as written for IPs, lower-case words joined by one space for names.
   */
  normalised: string
}

export interface DetectOptions {
  /**
   * Tenant's country. Only when it is set are national forms (`0176 1234 5678`)
   * read as phone numbers; the detector never guesses a region.
   */
  defaultCountry?: CountryCode
  /** Lower-case values (whole span text or normalised form) that are never flagged. */
  allow?: ReadonlySet<string>
  /** Lower-case tokens that are always flagged, as kind 'name'. */
  deny?: ReadonlySet<string>
}

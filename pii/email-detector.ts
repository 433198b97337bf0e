// Finds e-mail addresses (`local@domain.tld`) and lower-cases them, so that
// `Anna.Schmidt@Example.com` and `anna.schmidt@example.com` hash alike.
// Mailbox case-sensitivity (RFC 5321) is ignored in practice by every provider.
import type { PiiSpan } from './span.ts'

// Local part: RFC 5322 atext minus the rarely seen quoting, plus Unicode letters
// (RFC 6531). Domain: dot-separated labels ending in an alphabetic TLD, which is
// what keeps `user@203.0.113.7` (a SIP-style target) and `a@b` out.
const EMAIL_RE =
  /(?<![\p{L}\p{N}._%+\-'])[\p{L}\p{N}_%+\-'](?:[\p{L}\p{N}._%+\-']*[\p{L}\p{N}_%+\-'])?@(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,24}(?!\p{L})/gu

export function detectEmails(text: string): PiiSpan[] {
  if (!text.includes('@')) return []
  const spans: PiiSpan[] = []
  EMAIL_RE.lastIndex = 0
  for (let m = EMAIL_RE.exec(text); m !== null; m = EMAIL_RE.exec(text)) {
    spans.push({ kind: 'email', start: m.index, end: m.index + m[0].length, normalised: m[0].toLowerCase() })
  }
  return spans
}

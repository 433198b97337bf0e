// Finds IPv4 and IPv6 addresses, also inside ICE candidates
// (`candidate:1 1 udp 2122 203.0.113.7 54400 typ host`) and URLs
// (`turn:203.0.113.7:3478?transport=udp`, `turn:[2001:db8::1]:3478`).
// Regexes only propose; node:net's isIP decides, so `12:34:56` or a MAC
// address never pass. `truncateIp` gives the /24 or /48 the policy keeps.
import { isIP } from 'node:net'
import type { PiiSpan } from './span.ts'

const IPV4_RE = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\d|\.\d)/g
// Any run of hex digits, colons and dots with at least two colons, not glued to a word.
const IPV6_RE = /(?<![0-9A-Za-z:.])[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(?![0-9A-Za-z])/g

export function detectIps(text: string): PiiSpan[] {
  const spans: PiiSpan[] = []
  const firstColon = text.indexOf(':')
  if (firstColon >= 0 && text.indexOf(':', firstColon + 1) > 0) findIpv6(text, spans)
  if (text.includes('.')) findIpv4(text, spans)
  if (spans.length > 1) spans.sort((a, b) => a.start - b.start)
  return spans
}

function findIpv4(text: string, spans: PiiSpan[]): void {
  IPV4_RE.lastIndex = 0
  for (let m = IPV4_RE.exec(text); m !== null; m = IPV4_RE.exec(text)) {
    const start = m.index
    const end = start + m[0].length
    if (isIP(m[0]) !== 4 || isVersionNumber(text, start)) continue
    if (spans.some((s) => start < s.end && s.start < end)) continue // embedded in an IPv6 (::ffff:a.b.c.d)
    spans.push({ kind: 'ip', start, end, normalised: m[0] })
  }
}

/** `Chrome/120.0.0.0` and `v1.2.3.4` are versions, `+238.221.12.34` a phone: not hosts. */
function isVersionNumber(text: string, start: number): boolean {
  const before = text.charCodeAt(start - 1)
  if (before === 43) return true // '+': `+238.221.12.34` is a phone number written with dots
  if (before === 118 || before === 86) return true // v, V
  if (before !== 47) return false // '/'
  const beforeSlash = text.charCodeAt(start - 2)
  return beforeSlash !== 47 && /[0-9A-Za-z]/.test(text.charAt(start - 2))
}

function findIpv6(text: string, spans: PiiSpan[]): void {
  IPV6_RE.lastIndex = 0
  for (let m = IPV6_RE.exec(text); m !== null; m = IPV6_RE.exec(text)) {
    let candidate = m[0]
    let start = m.index
    // Trim what an address cannot end with, e.g. a trailing `:` before a port in `[…]:3478`.
    while (candidate.endsWith('.') || (candidate.endsWith(':') && !candidate.endsWith('::'))) candidate = candidate.slice(0, -1)
    if (candidate.startsWith(':') && !candidate.startsWith('::')) { candidate = candidate.slice(1); start++ }
    if (!/[0-9A-Fa-f]/.test(candidate) || isIP(candidate) !== 6) continue
    spans.push({ kind: 'ip', start, end: start + candidate.length, normalised: canonicalIpv6(expandIpv6(candidate)) })
  }
}

/** IPv4 keeps its /24 (`203.0.113.7` -> `203.0.113.0`), IPv6 its /48. Anything else is returned as ''. */
export function truncateIp(ip: string): string {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip
  const version = isIP(bare)
  if (version === 4) return bare.slice(0, bare.lastIndexOf('.')) + '.0'
  if (version !== 6) return ''
  const groups = expandIpv6(bare.replace(/%.*$/, ''))
  return canonicalIpv6([groups[0] ?? 0, groups[1] ?? 0, groups[2] ?? 0, 0, 0, 0, 0, 0])
}

/** Eight 16-bit groups of a valid IPv6 address (embedded IPv4 tails included). */
function expandIpv6(ip: string): number[] {
  let text = ip
  const lastColon = text.lastIndexOf(':')
  if (text.includes('.', lastColon)) {
    const [a = 0, b = 0, c = 0, d = 0] = text.slice(lastColon + 1).split('.').map(Number)
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':')
  const zeros = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0')
  return [...headGroups, ...zeros, ...tailGroups].map((g) => parseInt(g, 16))
}

/** RFC 5952 text form: lower case, no leading zeros, longest zero run (>= 2) as `::`. */
function canonicalIpv6(groups: readonly number[]): string {
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) { bestStart = i; bestLength = j - i }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

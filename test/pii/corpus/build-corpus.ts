// Builds the labelled PII corpus in memory, deterministically (seeded PRNG, no
// network): positives for every detector in many written forms, and many
// negatives shaped like real telemetry ids. Used by detector-quality.test.ts;
// `npx tsx test/pii/corpus/build-corpus.ts > corpus.json` dumps it for a look.
import { createRequire } from 'node:module'
import { getCountries, getExampleNumber, isValidPhoneNumber, parsePhoneNumber } from 'libphonenumber-js/max'
import type { PhoneNumber } from 'libphonenumber-js/max'
import mobileExamples from 'libphonenumber-js/examples.mobile.json'
import { foldToken } from '../../../pii/fold-token.ts'
import type { PiiKind } from '../../../pii/span.ts'
import { latinNameSamples, NON_LATIN_NAMES } from './name-samples.ts'
import { roomNameSamples, UNSEEN_ROOM_NAMES } from './room-names.ts'
import { mulberry32 } from '../../../bench/identifier-mix.ts'

export interface Expected { kind: PiiKind; start: number; end: number; normalised: string }
export interface CorpusItem { group: string; text: string; expected: Expected[] }

// Splices labelled pieces into one string so the expected offsets are exact.
type Piece = string | Omit<Expected, 'start' | 'end'> & { text: string }
function item(group: string, ...pieces: Piece[]): CorpusItem {
  let text = ''
  const expected: Expected[] = []
  for (const p of pieces) {
    if (typeof p === 'string') { text += p; continue }
    expected.push({ kind: p.kind, normalised: p.normalised, start: text.length, end: text.length + p.text.length })
    text += p.text
  }
  return { group, text, expected }
}

// Fixed-line examples come from Google's libphonenumber metadata (only the
// mobile ones ship with libphonenumber-js). Untyped CommonJS, hence require.
interface GooglePhoneUtil { getExampleNumberForType(region: string, type: number): unknown; format(n: unknown, f: number): string }
const google = createRequire(import.meta.url)('google-libphonenumber') as {
  PhoneNumberUtil: { getInstance(): GooglePhoneUtil }; PhoneNumberType: { FIXED_LINE: number }; PhoneNumberFormat: { E164: number }
}

function examplePhones(): PhoneNumber[] {
  const util = google.PhoneNumberUtil.getInstance()
  const phones: PhoneNumber[] = []
  for (const country of getCountries()) {
    const seen = new Set<string>()
    const mobile = getExampleNumber(country, mobileExamples)
    if (mobile?.isValid()) { phones.push(mobile); seen.add(mobile.number) }
    const fixed = util.getExampleNumberForType(country, google.PhoneNumberType.FIXED_LINE)
    const e164 = fixed == null ? '' : util.format(fixed, google.PhoneNumberFormat.E164)
    if (e164 !== '' && !seen.has(e164) && isValidPhoneNumber(e164)) phones.push(parsePhoneNumber(e164))
  }
  return phones
}

/** Every way the same number gets written into ids and display names. */
function phoneForms(p: PhoneNumber): string[] {
  const intl = p.formatInternational() // +49 176 12345678
  const groups = intl.slice(1).split(' ')
  const cc = groups[0]!
  const rest = groups.slice(1)
  const forms = [p.number, intl, '+' + groups.join('-'), '+' + groups.join('.'), '00' + groups.join(' '), '00' + p.number.slice(1)]
  if (rest.length >= 2) forms.push(`+${cc} (${rest[0]}) ${rest.slice(1).join(' ')}`)
  return forms
}

function phoneItems(): CorpusItem[] {
  const items: CorpusItem[] = []
  for (const p of examplePhones()) {
    const phone = (text: string) => ({ kind: 'phone' as const, text, normalised: p.number })
    for (const form of phoneForms(p)) items.push(item('phone', phone(form)))
    items.push(item('phone', 'tel:', phone(p.number)))
    items.push(item('phone', 'tel:', phone(p.formatInternational().replaceAll(' ', '-'))))
    items.push(item('phone', 'room-', phone(p.number)))
    items.push(item('phone', phone(p.formatInternational()), '-daily'))
    items.push(item('phone', 'peer_', phone(p.number), '_1'))
  }
  return items
}

function nameNormalised(words: string[]): string {
  return words.flatMap((w) => w.split(/[\s-]+/)).map(foldToken).sort().join(' ')
}

function nameItems(): CorpusItem[] {
  const items: CorpusItem[] = []
  for (const { given: g, surname: s } of latinNameSamples()) {
    const n = (text: string) => ({ kind: 'name' as const, text, normalised: nameNormalised([g, s]) })
    const lg = g.toLowerCase()
    const ls = s.toLowerCase()
    items.push(item('name-latin', n(`${g} ${s}`)))
    items.push(item('name-latin', n(`${lg}.${ls}`)))
    items.push(item('name-latin', n(`${lg}_${ls}`)))
    items.push(item('name-latin', n(`${g}${s}`)))
    items.push(item('name-latin', n(`${g} ${s}`.toUpperCase())))
    items.push(item('name-latin', n(`${ls}-${lg}`), '-42'))
    items.push(item('name-latin', n(`Dr. ${g} ${s}`))) // the title belongs to the span, not to the hash
  }
  for (const { text } of NON_LATIN_NAMES) {
    items.push(item('name-nonlatin', { kind: 'name', text, normalised: '' }))
  }
  return items
}

const DOMAINS = ['example.com', 'corp.example.de', 'mail.example.co.uk', 'example.org']

function contactItems(rand: () => number): CorpusItem[] {
  const items: CorpusItem[] = []
  const samples = latinNameSamples()
  samples.forEach(({ given, surname }, i) => {
    const domain = DOMAINS[i % DOMAINS.length]!
    const local = `${foldToken(given)}.${foldToken(surname)}`
    const email = (text: string) => ({ kind: 'email' as const, text, normalised: text.toLowerCase() })
    items.push(item('email', email(`${local}@${domain}`)))
    items.push(item('email', 'participant=', email(`${given[0]}.${foldToken(surname)}+rtc@${domain.toUpperCase()}`), ';joined'))
    const sip = (user: string) => ({ kind: 'sip' as const, text: user, normalised: `${user}@pbx.${domain}`.toLowerCase() })
    items.push(item('sip', 'sip:', sip(local), `@pbx.${domain}`))
    items.push(item('sip', '<sips:', sip(`${1000 + i}`), `@pbx.${domain}:5061;transport=tls>`))
    const v4 = `${1 + Math.floor(rand() * 222)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${1 + Math.floor(rand() * 254)}`
    const hex = () => Math.floor(rand() * 0x10000).toString(16)
    const v6 = `2001:db8:${hex()}:${hex()}::${hex()}`
    const ip = (text: string) => ({ kind: 'ip' as const, text, normalised: text })
    const port = 1024 + Math.floor(rand() * 60000)
    items.push(item('ip', `candidate:${Math.floor(rand() * 4e9)} 1 udp 2122260223 `, ip(v4), ` ${port} typ host generation 0`))
    items.push(item('ip', 'turn:', ip(v4), ':3478?transport=udp'))
    items.push(item('ip', 'turn:[', ip(v6), ']:3478'))
    items.push(item('ip', `candidate:1 1 udp 1686052607 `, ip(v6), ` ${port} typ srflx raddr 0.0.0.0 rport 0`))
  })
  // The ICE raddr 0.0.0.0 above is an address too: label it.
  for (const it of items) {
    const at = it.text.indexOf('raddr 0.0.0.0')
    if (at >= 0) it.expected.push({ kind: 'ip', start: at + 6, end: at + 13, normalised: '0.0.0.0' })
  }
  return items
}

const ROOM_SLUGS = ['weekly-standup', 'sales-team-3', 'daily-standup', 'team-meeting', 'all-hands', 'product-review', 'support-queue',
  'guest-lobby', 'test-room-7', 'design-sync', 'q3-planning', 'board-meeting', 'customer-success', 'engineering-retro', 'marketing-weekly',
  'launch-war-room', 'coffee-chat', 'office-hours', 'interview-loop-2', 'onboarding-batch-12']
const CITIES = ['Berlin', 'Paris', 'London', 'Amsterdam', 'Madrid', 'Rome', 'Vienna', 'Zurich', 'Munich', 'Hamburg', 'New York', 'San Francisco',
  'Los Angeles', 'Sao Paulo', 'Buenos Aires', 'Hong Kong', 'Tel Aviv', 'Mexico City', 'Cape Town', 'Kuala Lumpur', 'Santa Clara', 'Palo Alto',
  'Mountain View', 'Las Vegas', 'Salt Lake City', 'Rio de Janeiro', 'Frankfurt am Main', 'eu-west-1', 'us-east-2', 'ap-southeast-1']
const CODECS_AND_WORDS = ['opus', 'VP8', 'VP9', 'H264', 'AV1', 'PCMU', 'G722', 'red', 'ulpfec', 'rtx', 'audio', 'video', 'screen-share',
  'inbound-rtp', 'outbound-rtp', 'remote-candidate', 'candidate-pair', 'transport', 'certificate', 'media-source', 'codec', 'relay',
  'mark-as-read', 'max-bitrate', 'grace-period', 'will-join', 'happy new year', 'Good Morning', 'Thank You', 'Welcome Call', 'Main Stage',
  'Breakout Room 4', 'Default Microphone', 'Built-in Audio', 'FaceTime HD Camera', 'MacBook Pro Microphone', 'Chrome 120', 'Firefox Nightly']

function negativeItems(rand: () => number): CorpusItem[] {
  const items: CorpusItem[] = []
  const hexChars = '0123456789abcdef'
  const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'
  const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('')
  const uuid = () => `${pick(hexChars, 8)}-${pick(hexChars, 4)}-4${pick(hexChars, 3)}-a${pick(hexChars, 3)}-${pick(hexChars, 12)}`
  for (let i = 0; i < 300; i++) {
    items.push(item('uuid', uuid()), item('uuid', `{${uuid()}}`), item('uuid', `${uuid()}.local`))
    items.push(item('hex', pick(hexChars, [16, 32, 40][i % 3]!)))
    items.push(item('nanoid', pick(b64, 21)), item('nanoid', pick(b64.slice(0, 62), 22)))
    const digits = 4 + (i % 10) // 4..13 digits, no leading zero
    items.push(item('numeric-id', String(1 + Math.floor(rand() * 9)) + pick('0123456789', digits - 1)))
    items.push(item('numeric-id', String(Math.floor(rand() * 4294967296)))) // SSRC
    const epochMs = 1_500_000_000_000 + Math.floor(rand() * 300_000_000_000)
    items.push(item('numeric-id', String(epochMs)), item('numeric-id', String(Math.floor(epochMs / 1000))))
    items.push(item('numeric-id', `ssrc:${Math.floor(rand() * 4294967296)}`), item('numeric-id', `RTCInboundRTPAudioStream_${Math.floor(rand() * 4294967296)}`))
    items.push(item('timestamp', new Date(epochMs).toISOString()))
    items.push(item('misc', `PC-${i}`), item('misc', `T${String(i).padStart(2, '0')}`), item('misc', `mid-${i % 5}`), item('misc', `port ${1024 + i * 97}`))
  }
  for (const s of [...ROOM_SLUGS, ...CITIES, ...CODECS_AND_WORDS]) items.push(item('words', s))
  // Meeting and room names full of name-like words (`Patrick Day party`, `apple-park-3`): none is a person.
  for (const s of roomNameSamples()) items.push(item('room-names', s))
  for (const s of UNSEEN_ROOM_NAMES) items.push(item('room-names-unseen', s))
  return items
}

export function buildCorpus(seed = 20240607): CorpusItem[] {
  const rand = mulberry32(seed)
  return [...phoneItems(), ...nameItems(), ...contactItems(rand), ...negativeItems(rand)]
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(JSON.stringify(buildCorpus(), null, 1))

// Question: how many telemetry identifiers per second can detectPii classify
// on one core, cold (no pseudonym cache in front), for a realistic mix?
//
// Method: a seeded mix shaped like getStats ids and labels - mostly opaque
// values (UUIDs, `PC-12`-style peer ids, SSRC numbers, RTCStats ids, track
// ids), some conference slugs, ~5% personal values (names, phones, e-mails,
// SIP URIs, ICE candidates with IPs). Warm up the JIT, then time several full
// passes over the mix with detectPii. Baseline, measured in the same run: a
// pass that only lower-cases each value, the floor any classifier pays to look
// at its input. Prints JSON figures and one human line.
import { detectPii } from '../processor/pii/detect-pii.ts'

function mulberry32(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const rand = mulberry32(42)
const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('')
const hex = '0123456789abcdef'
const uuid = () => `${pick(hex, 8)}-${pick(hex, 4)}-4${pick(hex, 3)}-a${pick(hex, 3)}-${pick(hex, 12)}`
const ssrc = () => String(Math.floor(rand() * 4294967296))
const SLUGS = ['weekly-standup', 'sales-team-3', 'design-sync', 'all-hands-2024', 'support-queue', 'q3-planning']
const PERSONAL = ['Anna Schmidt', 'anna.schmidt', 'schmidt-anna-42', '+49 176 1234 5678', 'room-+4917612345678', 'lukas.weber@example.com',
  'sip:anna.schmidt@pbx.example.com', 'candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx', 'Иван Петров', 'JohnSmith']

function makeMix(n: number): string[] {
  const mix: string[] = []
  for (let i = 0; i < n; i++) {
    const r = rand()
    if (r < 0.05) mix.push(PERSONAL[i % PERSONAL.length]!)
    else if (r < 0.3) mix.push(uuid())
    else if (r < 0.45) mix.push(`PC-${Math.floor(rand() * 40)}`)
    else if (r < 0.6) mix.push(ssrc())
    else if (r < 0.75) mix.push(`RTCInboundRTPVideoStream_${ssrc()}`)
    else if (r < 0.85) mix.push(`{${uuid()}}`)
    else if (r < 0.93) mix.push(`T${String(Math.floor(rand() * 40)).padStart(2, '0')}`)
    else mix.push(SLUGS[i % SLUGS.length]!)
  }
  return mix
}

function timePasses(mix: readonly string[], passes: number, work: (s: string) => number): { perSecond: number; checksum: number } {
  let checksum = 0
  const t0 = process.hrtime.bigint()
  for (let p = 0; p < passes; p++) for (const s of mix) checksum += work(s)
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  return { perSecond: (mix.length * passes) / seconds, checksum }
}

const mix = makeMix(100_000)
const classify = (s: string) => detectPii(s).length
const baseline = (s: string) => s.toLowerCase().length
timePasses(mix, 1, classify) // warm-up: JIT and the lexicon load
timePasses(mix, 1, baseline)
const detect = timePasses(mix, 5, classify)
const floor = timePasses(mix, 5, baseline)
const personalShare = mix.filter((s) => PERSONAL.includes(s)).length / mix.length

console.log(JSON.stringify({
  benchmark: 'detectors', identifiers: mix.length, passes: 5, personalShare: +personalShare.toFixed(3),
  detectPiiPerSecond: Math.round(detect.perSecond), baselineLowerCasePerSecond: Math.round(floor.perSecond),
  spansPerPass: detect.checksum / 5, node: process.version,
}))
console.log(`detectPii classified ${(detect.perSecond / 1e6).toFixed(2)}M identifiers/s cold on one core `
  + `(target >= 1M/s; baseline toLowerCase ${(floor.perSecond / 1e6).toFixed(1)}M/s; ${(personalShare * 100).toFixed(1)}% personal)`)

// A seeded mix of identifiers shaped like getStats ids and call context values: mostly
// opaque (UUIDs, peer ids, SSRCs, RTCStats ids, track ids), some slugs, ~5% personal.
export function mulberry32(seed: number): () => number {
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
export const PERSONAL = ['Anna Schmidt', 'anna.schmidt', 'schmidt-anna-42', '+49 176 1234 5678', 'room-+4917612345678', 'lukas.weber@example.com',
  'sip:anna.schmidt@pbx.example.com', 'candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx', 'Иван Петров', 'JohnSmith']

export function makeMix(n: number): string[] {
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


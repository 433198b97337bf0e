// Replays a browser capture as if it had been recorded just now. Captures carry the date
// they were made, and ingest refuses frames more than 7 days old, so a capture sent with its
// own timestamps stops working a week after it was made. Every absolute time in it (the
// sample times and each report's `timestamp`, `remoteTimestamp`, `last...Timestamp`) moves
// by one offset, chosen so the capture's last sample lands at `now`: the intervals between
// samples, and so every rate computed from them, stay as recorded.
//
// Used by the tests, `npm run demo`, the benchmarks and the rtcstats importer (which moves
// its dumps with shiftReportTimes); `now` is a parameter so a test can replay with the
// clock a year ahead.

export interface CaptureSample {
  /** ms since `capturedAt`. */
  t: number
  reports: Record<string, unknown>[]
}

export interface Capture {
  capturedAt: string
  peers: { peerId: string; samples: CaptureSample[] }[]
}

export interface ReplayedSample {
  peerId: string
  /** Wall-clock ms of the sample, shifted to end at `now`. */
  ts: number
  reports: Record<string, unknown>[]
}

/** The ms to add to every absolute time of the capture so that its last sample is at `now`. */
export function replayOffsetMs(capture: Capture, now: number): number {
  const start = Date.parse(capture.capturedAt)
  if (!Number.isFinite(start)) throw new Error(`capture has no valid capturedAt: ${JSON.stringify(capture.capturedAt)}`)
  const lastT = Math.max(0, ...capture.peers.flatMap((p) => p.samples.map((s) => s.t)))
  return now - (start + lastT)
}

// `timestamp` and the W3C fields named `...Timestamp` are absolute times (epoch ms, or NTP
// ms for estimatedPlayoutTimestamp); durations and counters are left alone. 0 is "never"
// (Firefox's lastPacketReceivedTimestamp before the first packet) and stays 0.
const isAbsoluteTime = (field: string, value: unknown): value is number =>
  typeof value === 'number' && value !== 0 && (field === 'timestamp' || field.endsWith('Timestamp'))

/** A copy of one getStats report with its absolute times moved by `offsetMs`. */
export function shiftReportTimes(report: Record<string, unknown>, offsetMs: number): Record<string, unknown> {
  const shifted: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(report)) shifted[field] = isAbsoluteTime(field, value) ? value + offsetMs : value
  return shifted
}

/** Every sample of every peer, shifted to end at `now`, interleaved by time as the peers would send them. */
export function replayCapture(capture: Capture, now: number = Date.now()): ReplayedSample[] {
  const offset = replayOffsetMs(capture, now)
  const start = Date.parse(capture.capturedAt)
  const samples: ReplayedSample[] = []
  for (const peer of capture.peers) {
    for (const sample of peer.samples) {
      samples.push({ peerId: peer.peerId, ts: start + sample.t + offset, reports: sample.reports.map((r) => shiftReportTimes(r, offset)) })
    }
  }
  return samples.sort((a, b) => a.ts - b.ts)
}

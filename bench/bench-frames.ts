// Realistic stats frames for the benchmarks, built from the Chromium audio+video capture
// (test/fixtures/webrtc/chromium-loopback-av.json, copied into this repository).
//
// Each benchmark session plays one peer of the capture (even sessions the caller, odd ones
// the callee), rotating through its 31 getStats() samples, with a call context of its own
// (an e-mail as participant id, a display name, a conference shared by two sessions), so
// the processor has personal identifiers to pseudonymise. Only the report types the SDK
// sends are kept (`selectReports`). A frame is about 7 KB of msgpack, 19 reports, 9 rows.
//
// Encoding each frame anew would make the load generator slower than the servers, so each
// sample is msgpack-encoded once with marker values for `seq` (a uint32) and `ts` (a
// float64), and every frame sent is a copy of that template with the two fields patched.
//
// The capture is replayed relative to now: a frame's `ts` is its send time, and the
// absolute times inside the reports (`timestamp`, `remoteTimestamp`, the candidate pair's
// and inbound-rtp's `lastPacket*Timestamp`, all epoch ms, and `estimatedPlayoutTimestamp`,
// NTP-epoch ms) are shifted by one offset, so the capture's last report time lands on the
// time the templates are built (Date.now(), to the millisecond) and every interval between
// reports and samples stays as captured.
import { Packr } from 'msgpackr'
import { selectReports } from '../sdk/stats-frame.ts'
import type { CallContext, StatsReport } from '../schemas/frames.ts'
import { loadCapture } from '../test/support/captures.ts'

const seqMarker = 0xfedcba98 // encoded as 0xce + 4 bytes big-endian
const tsMarker = 1234567890123.25 // encoded as 0xcb + 8 bytes big-endian

export interface SessionFrames {
  readonly call: CallContext
  /** One msgpack template per capture sample. */
  readonly templates: readonly Uint8Array[]
  /** Rows each template becomes in ClickHouse (rtp reports + candidate pairs). */
  readonly rowsPerTemplate: readonly number[]
  /** The reports of each template, for encodings other than msgpack. */
  readonly reports: readonly StatsReport[][]
  /** A fresh copy of the frame with this seq, stamped with `ts` (wall-clock ms). */
  frame(seq: number, ts: number): Uint8Array
  /** Template index used for a seq: frames rotate through the samples. */
  templateOf(seq: number): number
}

/** Report fields holding an absolute time in ms (every other time in a report is a duration). */
export const absoluteTimeFields = ['timestamp', 'remoteTimestamp', 'lastPacketReceivedTimestamp', 'lastPacketSentTimestamp', 'estimatedPlayoutTimestamp'] as const

/** The reports with their absolute times moved by `offsetMs`, as copies. */
function shiftTimes(reports: readonly StatsReport[], offsetMs: number): StatsReport[] {
  return reports.map((report) => {
    const shifted: Record<string, unknown> = { ...report }
    for (const field of absoluteTimeFields) {
      const value = shifted[field]
      if (typeof value === 'number') shifted[field] = value + offsetMs
    }
    return shifted as StatsReport
  })
}

let peerSamples: Map<number, StatsReport[][]> | undefined

function samplesOfPeer(peer: number): StatsReport[][] {
  if (!peerSamples) {
    const capture = loadCapture('chromium-loopback-av.json')
    const selected = capture.peers.map((p) => p.samples.map((s) => selectReports(s.reports)))
    // One offset for both peers (their clocks are one clock in a loopback capture).
    const lastReportAt = Math.max(...selected.flat(2).map((r) => r.timestamp))
    const offsetMs = Math.round(Date.now() - lastReportAt)
    peerSamples = new Map(selected.map((samples, i) => [i, samples.map((reports) => shiftTimes(reports, offsetMs))]))
  }
  const samples = peerSamples.get(peer % peerSamples.size)
  if (!samples || samples.length === 0) throw new Error('the av capture has no samples')
  return samples
}

/** The call context of benchmark session `index`: personal values, as customers send them. */
export function benchCallContext(index: number): CallContext {
  return {
    conferenceId: `weekly-standup-${Math.floor(index / 2)}`,
    participantId: `bench.user${index}@example.com`,
    peerConnectionId: `pc-${index}`,
    displayName: `Bench User ${index}`,
  }
}

export const rowsOfReports = (reports: readonly StatsReport[]): number =>
  reports.filter((r) => r.type.endsWith('-rtp') || r.type === 'candidate-pair').length

function markerOffset(bytes: Uint8Array, marker: Uint8Array, what: string): number {
  let found = -1
  outer: for (let i = 0; i + marker.length <= bytes.length; i++) {
    for (let j = 0; j < marker.length; j++) if (bytes[i + j] !== marker[j]) continue outer
    if (found !== -1) throw new Error(`the ${what} marker occurs twice in a template`)
    found = i + 1 // the value after the type byte
  }
  if (found === -1) throw new Error(`the ${what} marker was not encoded as expected`)
  return found
}

export function buildSessionFrames(index: number): SessionFrames {
  const packr = new Packr({ useRecords: false })
  const call = benchCallContext(index)
  const samples = samplesOfPeer(index)
  const seqBytes = new Uint8Array(5)
  seqBytes[0] = 0xce
  new DataView(seqBytes.buffer).setUint32(1, seqMarker)
  const tsBytes = new Uint8Array(9)
  tsBytes[0] = 0xcb
  new DataView(tsBytes.buffer).setFloat64(1, tsMarker)

  const templates: Uint8Array[] = []
  const seqOffsets: number[] = []
  const tsOffsets: number[] = []
  for (const reports of samples) {
    const bytes = new Uint8Array(packr.pack({ type: 'stats', seq: seqMarker, ts: tsMarker, call, reports }))
    templates.push(bytes)
    seqOffsets.push(markerOffset(bytes, seqBytes, 'seq'))
    tsOffsets.push(markerOffset(bytes, tsBytes, 'ts'))
  }
  const templateOf = (seq: number) => (seq - 1) % templates.length
  return {
    call,
    templates,
    rowsPerTemplate: samples.map(rowsOfReports),
    reports: samples,
    templateOf,
    frame(seq, ts) {
      if (!Number.isInteger(seq) || seq < 1 || seq > 0xffffffff) throw new RangeError(`seq ${seq} does not fit the template`)
      const t = templateOf(seq)
      const bytes = templates[t]!.slice()
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      view.setUint32(seqOffsets[t]!, seq)
      view.setFloat64(tsOffsets[t]!, ts)
      return bytes
    },
  }
}

// Turns decoded snapshots and events into what the SDK would have sent: the report types of
// sdk/stats-frame.ts, times moved by the replay offset (lib/capture-replay.ts), and the call
// context taken from the dump's identity. A getStats() result too large for one frame (a
// call with hundreds of ICE candidates) is split so that each candidate pair travels with
// its two candidates and each RTP stream with its codec: the processor joins them within
// one frame.
import { shiftReportTimes } from '../lib/capture-replay.ts'
import type { CallContext, StatsReport } from '../schemas/frames.ts'
import { statsFrameSchema } from '../schemas/frames.ts'
import { selectReports } from '../sdk/stats-frame.ts'
import type { PeerConnectionEvent, StatsSnapshot } from './dump-decoder.ts'
import type { DumpIdentity } from './dump-identity.ts'

export interface CallOverrides {
  conferenceId?: string
  participantId?: string
}

const clip = (value: string, max: number): string => (value.length > max ? value.slice(0, max) : value)

/**
 * The call context of one peer connection's session. The ids come from the dump's identity
 * lines (or the flags); the processor pseudonymises them like any SDK's.
 */
export function callContextFor(pcId: string, identity: DumpIdentity, overrides: CallOverrides = {}): CallContext {
  const call: CallContext = {
    conferenceId: clip(overrides.conferenceId ?? identity.conferenceName ?? identity.meetingId ?? 'rtcstats-import', 256),
    participantId: clip(overrides.participantId ?? identity.endpointId ?? 'rtcstats-import', 256),
    peerConnectionId: clip(pcId, 128),
  }
  if (identity.displayName) call.displayName = clip(identity.displayName, 256)
  if (identity.meetingId) call.callId = clip(identity.meetingId, 256)
  return call
}

export interface OutgoingStats {
  ts: number
  reports: StatsReport[]
}

const maxReports = statsFrameSchema.properties.reports.maxItems
/** JSON bytes of reports per frame; msgpack is smaller, and the ingest limit is 256 KiB. */
const maxReportBytes = 192 * 1024

const wellFormed = (report: Record<string, unknown>): report is StatsReport =>
  typeof report['id'] === 'string' && report['id'].length > 0 && report['id'].length <= 256 &&
  typeof report['type'] === 'string' && report['type'].length > 0 && report['type'].length <= 64 &&
  typeof report['timestamp'] === 'number' && Number.isFinite(report['timestamp']) && report['timestamp'] >= 0

/** The frames (one, or more for a very large result) of one snapshot; none if it has no report the SDK sends. */
export function statsFramesOf(snapshot: StatsSnapshot, offsetMs: number): OutgoingStats[] {
  const reports = selectReports(snapshot.reports).map((r) => shiftReportTimes(r, offsetMs)).filter(wellFormed)
  if (reports.length === 0) return []
  const ts = snapshot.ts + offsetMs
  if (reports.length <= maxReports && JSON.stringify(reports).length <= maxReportBytes) return [{ ts, reports }]
  return packUnits(unitsOf(reports)).map((chunk) => ({ ts, reports: chunk }))
}

// Reports that must share a frame: a pair with its candidates, an RTP stream with its codec.
function unitsOf(reports: StatsReport[]): StatsReport[][] {
  const byId = new Map(reports.map((r) => [r.id, r]))
  const ref = (report: StatsReport, field: string) => (typeof report[field] === 'string' ? byId.get(report[field]) : undefined)
  const units: StatsReport[][] = []
  const placed = new Set<string>()
  for (const report of reports) {
    if (report.type === 'candidate-pair') {
      const unit = [report, ref(report, 'localCandidateId'), ref(report, 'remoteCandidateId')].filter((r): r is StatsReport => r !== undefined)
      units.push(unit)
      for (const r of unit) placed.add(r.id)
    } else if (report.type.endsWith('-rtp')) {
      const codec = ref(report, 'codecId')
      units.push(codec ? [report, codec] : [report])
      placed.add(report.id)
    }
  }
  // Codecs go again with every stream that names them; candidates of no pair, transports and
  // sources travel alone.
  for (const report of reports) if (!placed.has(report.id) && !(report.type === 'codec' && units.some((u) => u.includes(report)))) units.push([report])
  return units
}

function packUnits(units: StatsReport[][]): StatsReport[][] {
  const chunks: StatsReport[][] = []
  let current: StatsReport[] = []
  let bytes = 0
  for (const unit of units) {
    const unitBytes = JSON.stringify(unit).length
    if (current.length > 0 && (current.length + unit.length > maxReports || bytes + unitBytes > maxReportBytes)) {
      chunks.push(current)
      current = []
      bytes = 0
    }
    current.push(...unit)
    bytes += unitBytes
  }
  if (current.length > 0) chunks.push(current)
  return chunks
}

export interface OutgoingEvent {
  ts: number
  name: 'join' | 'leave' | 'ice-state' | 'connection-state'
  value?: string
}

/** The wire event of a peer connection event, if the protocol has one (DTLS, ICE gathering and signalling states have none). */
export function eventFrameOf(event: PeerConnectionEvent, offsetMs: number): OutgoingEvent | undefined {
  const ts = event.ts + offsetMs
  switch (event.name) {
    case 'create':
      return { ts, name: 'join' }
    case 'close':
      return { ts, name: 'leave' }
    case 'ice-connection-state':
      return { ts, name: 'ice-state', value: event.state }
    case 'connection-state':
      return { ts, name: 'connection-state', value: event.state }
    default:
      return undefined
  }
}

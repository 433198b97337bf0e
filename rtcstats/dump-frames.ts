// Turns decoded snapshots and events into what the SDK would have sent: the report types of
// sdk/stats-frame.ts, times moved by the replay offset (lib/capture-replay.ts), and the call
// context taken from the dump's identity. A getStats() result too large for one frame is
// split as the browser SDK splits it (sdk/report-split.ts).
import { shiftReportTimes } from '../lib/capture-replay.ts'
import type { CallContext, StatsReport } from '../schemas/frames.ts'
import { fitsOneFrame, splitReports } from '../sdk/report-split.ts'
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

const wellFormed = (report: Record<string, unknown>): report is StatsReport =>
  typeof report['id'] === 'string' && report['id'].length > 0 && report['id'].length <= 256 &&
  typeof report['type'] === 'string' && report['type'].length > 0 && report['type'].length <= 64 &&
  typeof report['timestamp'] === 'number' && Number.isFinite(report['timestamp']) && report['timestamp'] >= 0

/** The frames (one, or more for a very large result) of one snapshot; none if it has no report the SDK sends. */
export function statsFramesOf(snapshot: StatsSnapshot, offsetMs: number): OutgoingStats[] {
  const reports = selectReports(snapshot.reports).map((r) => shiftReportTimes(r, offsetMs)).filter(wellFormed)
  if (reports.length === 0) return []
  const ts = snapshot.ts + offsetMs
  if (fitsOneFrame(reports)) return [{ ts, reports }]
  return splitReports(reports).map((chunk) => ({ ts, reports: chunk }))
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

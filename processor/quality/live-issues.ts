// Live issue detection in the processor: each frame's interval rows are fed to the issue
// tracker (issue-thresholds.ts), one tracked stream per rtp report, one per peer connection
// for its RTT and ICE state. Each transition becomes a `stream_issues` row, stored with the
// frame's other rows and published once they are stored (processor/index.ts).
//
// The hysteresis state lives in this processor's memory: a processor restart starts every
// stream afresh (an issue still going on is reported as starting again), and with several
// processors sharing the consumer one stream's intervals can be judged by two trackers.
// Issue rows are facts about intervals, so the table stays right to within that; the README
// says so. Streams are forgotten after a `leave` (their open issues end) or when more than
// `maxStreams` are tracked (the least recently seen go, without an end).
import type { FrameRows, Row } from '../report-mapper.ts'
import { createIssueTracker, type IntervalMetrics, type IssueTransition } from './issue-thresholds.ts'

export interface LiveIssueDetectorOptions {
  /** @default 100000 */
  maxStreams?: number
}

const num = (row: Row, column: string): number | undefined => {
  const value = row[column]
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/** Only the values present: an absent metric neither counts nor breaks a run. */
function defined(metrics: Record<string, number | boolean | undefined>): IntervalMetrics {
  const out: Record<string, number | boolean> = {}
  for (const key in metrics) if (metrics[key] !== undefined) out[key] = metrics[key]
  return out as unknown as IntervalMetrics
}

function rtpMetrics(row: Row): IntervalMetrics | undefined {
  const atMs = num(row, 'report_ts')
  if (atMs === undefined || row['interval_state'] !== 'ok') return undefined
  const seconds = (num(row, 'interval_ms') ?? 0) / 1000
  const freeze = num(row, 'interval_freeze_duration')
  switch (row['report_type']) {
    case 'inbound-rtp':
      return defined({
        atMs,
        lossFraction: num(row, 'interval_loss_fraction'),
        jitterSeconds: num(row, 'jitter'),
        mos: num(row, 'mos'),
        concealedShare: row['kind'] === 'audio' ? num(row, 'interval_concealment_ratio') : undefined,
        freezeShare: row['kind'] === 'video' && freeze !== undefined && seconds > 0 ? Math.min(1, freeze / seconds) : undefined,
      })
    case 'outbound-rtp':
      return defined({ atMs, cpuLimitedShare: num(row, 'interval_cpu_limited_share'), bandwidthLimitedShare: num(row, 'interval_bandwidth_limited_share') })
    case 'remote-inbound-rtp':
      return defined({ atMs, lossFraction: num(row, 'interval_loss_fraction'), jitterSeconds: num(row, 'jitter') })
    default:
      return undefined
  }
}

/** One peer connection of one session: the prefix of its tracked streams' keys. */
const connectionOf = (row: Row): string => `${row['tenant']}\0${row['session_id']}\0${row['peer_connection_id']}`

const iceDown = new Set(['disconnected', 'failed'])
const iceUp = new Set(['connected', 'completed'])

export function createLiveIssueDetector(options: LiveIssueDetectorOptions = {}) {
  const maxStreams = options.maxStreams ?? 100_000
  const tracker = createIssueTracker()
  // Per peer connection, its tracked keys, most recently seen last (Map order).
  const connections = new Map<string, Set<string>>()
  // Per peer connection, the selected candidate pair and since when: a new one after the old
  // one carried the call for `settledMs` is an ICE restart (or a switch of path after one
  // failed), which users notice. Earlier switches are ICE still choosing (Chromium replaces a
  // peer-reflexive remote candidate in the first second), not restarts.
  const selectedPair = new Map<string, { pair: string; sinceMs: number }>()
  const settledMs = 10_000

  function touch(connection: string, key: string): void {
    const keys = connections.get(connection) ?? new Set<string>()
    connections.delete(connection)
    connections.set(connection, keys.add(key))
    while (connections.size > maxStreams) {
      const [oldest, oldKeys] = connections.entries().next().value as [string, Set<string>]
      connections.delete(oldest)
      selectedPair.delete(oldest)
      for (const old of oldKeys) tracker.close(old, 0)
    }
  }

  function issueRow(source: Row, transition: IssueTransition, subject: { type: string; id: string; kind: string }): Row {
    return {
      tenant: source['tenant']!,
      ts: Math.round(transition.atMs),
      aggregate_retention_days: source['aggregate_retention_days']!,
      conference_id: source['conference_id']!,
      call_id: source['call_id']!,
      participant_id: source['participant_id']!,
      peer_connection_id: source['peer_connection_id']!,
      session_id: source['session_id']!,
      seq: source['seq']!,
      report_type: subject.type,
      report_id: subject.id,
      kind: subject.kind,
      issue: transition.kind,
      state: transition.state,
      since: Math.round(transition.sinceMs),
      value: transition.value,
      threshold: transition.threshold,
    }
  }

  return {
    /** The `stream_issues` rows of one frame's rows: the transitions its intervals caused. */
    observe(rows: FrameRows): Row[] {
      const out: Row[] = []
      const track = (source: Row, subject: { type: string; id: string; kind: string }, metrics: IntervalMetrics | undefined) => {
        if (!metrics) return
        const connection = connectionOf(source)
        const key = `${connection}\0${subject.type}\0${subject.id}`
        touch(connection, key)
        for (const transition of tracker.observe(key, metrics)) out.push(issueRow(source, transition, subject))
      }
      for (const row of rows.rtp_samples) {
        track(row, { type: String(row['report_type']), id: String(row['report_id']), kind: String(row['kind']) }, rtpMetrics(row))
      }
      for (const row of rows.connection_samples) {
        const rtt = num(row, 'current_round_trip_time')
        const atMs = num(row, 'report_ts')
        if (row['selected'] !== 1 || atMs === undefined) continue
        const connection = connectionOf(row)
        const before = selectedPair.get(connection)
        const pair = String(row['pair_id'])
        if (before?.pair !== pair) selectedPair.set(connection, { pair, sinceMs: atMs })
        const iceRestarts = before !== undefined && before.pair !== pair && atMs - before.sinceMs >= settledMs ? 1 : 0
        track(row, { type: 'connection', id: '', kind: '' }, rtt === undefined ? { atMs, iceRestarts } : { atMs, rttSeconds: rtt, iceRestarts })
      }
      for (const row of rows.call_events) {
        const atMs = num(row, 'ts')
        const state = String(row['value_text'])
        if (atMs === undefined) continue
        if (row['name'] === 'ice-state' && (iceDown.has(state) || iceUp.has(state))) {
          track(row, { type: 'ice', id: '', kind: '' }, { atMs, iceDisconnected: iceDown.has(state) })
        } else if (row['name'] === 'leave') {
          const connection = connectionOf(row)
          for (const key of connections.get(connection) ?? []) {
            const [, , , type, id] = key.split('\0')
            for (const transition of tracker.close(key, atMs)) out.push(issueRow(row, transition, { type: type!, id: id!, kind: '' }))
          }
          connections.delete(connection)
          selectedPair.delete(connection)
        }
      }
      return out
    },
  }
}

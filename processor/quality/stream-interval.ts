// Per-interval values of one stream, from two snapshots of the same report: the frame's and
// the one the SDK took before it (the frame's `previous`, see schemas/frames.ts). Both come
// in one message, so whichever processor gets it computes the same interval, once, whatever
// the order in which frames arrive, how often they are redelivered, or whether a processor
// restarted in between. Pure: no state, no I/O.
import type { StatsReport } from '../../schemas/frames.ts'
import { monotonicCounters } from '../../schemas/interval-fields.ts'

/**
 * `ok`: computed. `first`: no earlier snapshot (the stream's first). `reset`: a cumulative
 * counter went down (a reconnect or renegotiation restarted the stream's counters): the
 * interval is unknowable, nothing is invented. `invalid`: the earlier snapshot is not earlier.
 * `none`: the frame carries no earlier snapshot at all (an SDK that does not send `previous`),
 * or the report type has no interval (remote-outbound-rtp).
 */
export type IntervalState = 'ok' | 'first' | 'reset' | 'invalid' | 'none'

export interface StreamInterval {
  state: IntervalState
  /** Between the two reports' own timestamps, ms. */
  ms: number | null
  /** Received for inbound-rtp and candidate pairs, sent for outbound-rtp. */
  bitrateBps: number | null
  /** Candidate pairs only: the sending direction. */
  sendBitrateBps: number | null
  packetRate: number | null
  /** 0..1: packets lost in the interval over packets expected (received + lost). */
  lossFraction: number | null
  /** Mean time an emitted sample (audio) or frame (video) spent in the jitter buffer, seconds. */
  jitterBufferDelayS: number | null
  /** 0..1: audibly concealed (concealed minus silent-concealed) over received audio samples. */
  concealmentRatio: number | null
  framesPerSecond: number | null
  freezeCount: number | null
  freezeS: number | null
  pauseS: number | null
  /** Mean RTCP round-trip time over the interval's measurements, seconds (remote-inbound-rtp). */
  averageRttS: number | null
  /** 0..1: share of the interval the encoder was limited by CPU, bandwidth or other. */
  qualityLimitedShare: number | null
  cpuLimitedShare: number | null
  bandwidthLimitedShare: number | null
}

const noValues: Omit<StreamInterval, 'state'> = {
  ms: null,
  bitrateBps: null,
  sendBitrateBps: null,
  packetRate: null,
  lossFraction: null,
  jitterBufferDelayS: null,
  concealmentRatio: null,
  framesPerSecond: null,
  freezeCount: null,
  freezeS: null,
  pauseS: null,
  averageRttS: null,
  qualityLimitedShare: null,
  cpuLimitedShare: null,
  bandwidthLimitedShare: null,
}


const num = (report: StatsReport, field: string): number | undefined => {
  const value = report[field]
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

function delta(previous: StatsReport, current: StatsReport, field: string): number | null {
  const before = num(previous, field)
  const now = num(current, field)
  return before === undefined || now === undefined ? null : now - before
}

const ratio = (part: number | null, whole: number | null): number | null => (part === null || whole === null || whole <= 0 ? null : part / whole)

type Durations = Partial<Record<'none' | 'cpu' | 'bandwidth' | 'other', number>>
function limitationDurations(report: StatsReport): Durations | undefined {
  const value = report['qualityLimitationDurations']
  return value !== null && typeof value === 'object' ? (value as Durations) : undefined
}

interface LimitationShares {
  /** 0..1: share of the interval the encoder was limited by CPU, bandwidth or other. */
  any: number | null
  cpu: number | null
  bandwidth: number | null
}
const noShares: LimitationShares = { any: null, cpu: null, bandwidth: null }

function limitationShares(previous: StatsReport, current: StatsReport): LimitationShares {
  const before = limitationDurations(previous)
  const now = limitationDurations(current)
  if (!before || !now) return noShares
  const spent = (key: keyof Durations) => {
    const [a, b] = [before[key], now[key]]
    return typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) ? b - a : 0
  }
  const cpu = spent('cpu')
  const bandwidth = spent('bandwidth')
  const limited = cpu + bandwidth + spent('other')
  const total = limited + spent('none')
  if (!(total > 0) || limited < 0 || cpu < 0 || bandwidth < 0) return noShares
  return { any: Math.min(1, limited / total), cpu: Math.min(1, cpu / total), bandwidth: Math.min(1, bandwidth / total) }
}

// Silent concealment (comfort noise while the sender sends nothing) is not heard as damage.
function audibleConcealment(previous: StatsReport, current: StatsReport): number | null {
  const concealed = delta(previous, current, 'concealedSamples')
  if (concealed === null) return null
  return Math.max(0, concealed - (delta(previous, current, 'silentConcealedSamples') ?? 0))
}

export const noInterval = (state: Exclude<IntervalState, 'ok'>): StreamInterval => ({ state, ...noValues })

export function streamInterval(previous: StatsReport | undefined, current: StatsReport): StreamInterval {
  if (!previous) return { state: 'first', ...noValues }
  const ms = current.timestamp - previous.timestamp
  if (!(ms > 0)) return { state: 'invalid', ...noValues }
  for (const field of monotonicCounters) {
    const change = delta(previous, current, field)
    if (change !== null && change < 0) return { state: 'reset', ...noValues }
  }
  const seconds = ms / 1000
  const limitation = limitationShares(previous, current)
  // A candidate pair both sends and receives: its rate is the received one, `sendBitrateBps` the other.
  const inbound = current.type === 'inbound-rtp' || current.type === 'candidate-pair'
  const bytes = delta(previous, current, inbound ? 'bytesReceived' : 'bytesSent')
  const packets = delta(previous, current, inbound ? 'packetsReceived' : 'packetsSent')
  // Lost packets can be "found" again (a late packet lowers packetsLost): never below zero.
  const lostChange = delta(previous, current, 'packetsLost')
  const lost = lostChange === null ? null : Math.max(0, lostChange)
  const frames = delta(previous, current, inbound ? 'framesDecoded' : 'framesEncoded')
  const rttSum = delta(previous, current, 'totalRoundTripTime')
  // RTCP measurements (rtp reports) or STUN responses (candidate pairs).
  const rttCount = delta(previous, current, current.type === 'candidate-pair' ? 'responsesReceived' : 'roundTripTimeMeasurements')
  const sentBytes = current.type === 'candidate-pair' ? delta(previous, current, 'bytesSent') : null
  return {
    state: 'ok',
    ms,
    bitrateBps: bytes === null ? null : (bytes * 8) / seconds,
    sendBitrateBps: sentBytes === null ? null : (sentBytes * 8) / seconds,
    packetRate: packets === null ? null : packets / seconds,
    lossFraction: inbound && lost !== null && packets !== null ? ratio(lost, lost + packets) ?? 0 : null,
    jitterBufferDelayS: ratio(delta(previous, current, 'jitterBufferDelay'), delta(previous, current, 'jitterBufferEmittedCount')),
    concealmentRatio: ratio(audibleConcealment(previous, current), delta(previous, current, 'totalSamplesReceived')),
    framesPerSecond: frames === null ? null : frames / seconds,
    freezeCount: delta(previous, current, 'freezeCount'),
    freezeS: delta(previous, current, 'totalFreezesDuration'),
    pauseS: delta(previous, current, 'totalPausesDuration'),
    averageRttS: ratio(rttSum, rttCount),
    qualityLimitedShare: limitation.any,
    cpuLimitedShare: limitation.cpu,
    bandwidthLimitedShare: limitation.bandwidth,
  }
}

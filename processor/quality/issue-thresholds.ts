// Live issue detection per stream (or per call, for connection metrics): each issue starts
// when its metric is past the start threshold for N consecutive intervals and ends when it
// is back past the end threshold for M consecutive intervals. The band between the two
// thresholds counts for neither side, so a metric hovering at the threshold does not flap.
// Pure: no clock, no I/O; a stream's state is a plain object, so it can be kept anywhere.
//
// Durations are seconds and shares are 0..1, as getStats reports them (see units.ts). The
// sources of every threshold are in `source` and in docs/quality-model.md.

export type IssueKind =
  | 'high-loss'
  | 'high-jitter'
  | 'high-rtt'
  | 'low-mos'
  | 'audio-concealment'
  | 'video-freeze'
  | 'cpu-limitation'
  | 'bandwidth-limitation'
  | 'ice-disconnected'
  | 'ice-restart'

/** One interval of one stream; a metric left out (or NaN) is no evidence either way. */
export interface IntervalMetrics {
  /** End of the interval, milliseconds since the epoch. */
  readonly atMs: number
  /** Interval loss, 0..1: lost / (lost + received), or remote-inbound-rtp `fractionLost`. */
  readonly lossFraction?: number
  /** inbound-rtp or remote-inbound-rtp `jitter`, seconds. */
  readonly jitterSeconds?: number
  /** remote-inbound-rtp `roundTripTime` or the candidate pair's, seconds. */
  readonly rttSeconds?: number
  /** The E-model estimate of e-model.ts for the interval. */
  readonly mos?: number
  /** Delta (concealedSamples - silentConcealedSamples) / delta totalSamplesReceived, 0..1. */
  readonly concealedShare?: number
  /** Delta totalFreezesDuration / interval duration, 0..1. */
  readonly freezeShare?: number
  /** Delta qualityLimitationDurations.cpu / interval duration, 0..1 (outbound video). */
  readonly cpuLimitedShare?: number
  /** Delta qualityLimitationDurations.bandwidth / interval duration, 0..1. */
  readonly bandwidthLimitedShare?: number
  /** ICE state 'disconnected' or 'failed' at any snapshot of the interval. */
  readonly iceDisconnected?: boolean
  /** ICE restarts seen in the interval (a new selected pair after new credentials). */
  readonly iceRestarts?: number
}

export type MetricName = Exclude<keyof IntervalMetrics, 'atMs'>

export interface IssueThreshold {
  readonly metric: MetricName
  /** 'above': bad when the value exceeds `start`; 'below': bad when it falls under it. */
  readonly direction: 'above' | 'below'
  readonly start: number
  /** Recovered when the value is under (or, for 'below', over) this. */
  readonly end: number
  /** N: consecutive bad intervals that start the issue. */
  readonly startIntervals: number
  /** M: consecutive recovered intervals that end it. */
  readonly endIntervals: number
  readonly source: string
}

export const issueThresholds: Readonly<Record<IssueKind, IssueThreshold>> = Object.freeze({
  'high-loss': {
    metric: 'lossFraction', direction: 'above', start: 0.01, end: 0.005, startIntervals: 3, endIntervals: 3,
    source: 'start: Twilio Voice Insights SDK warning high-packet-loss, loss > 1 % in 3 of the last 5 samples; end: half of it (chosen)',
  },
  'high-jitter': {
    metric: 'jitterSeconds', direction: 'above', start: 0.03, end: 0.02, startIntervals: 3, endIntervals: 3,
    source: 'start: Twilio Voice Insights SDK warning high-jitter, jitter > 30 ms in 3 of the last 5 samples (Sinch: 30 ms, 3 of 4); end: 20 ms (chosen)',
  },
  'high-rtt': {
    metric: 'rttSeconds', direction: 'above', start: 0.4, end: 0.3, startIntervals: 3, endIntervals: 3,
    source: 'start: Twilio Voice Insights SDK warning high-rtt, RTT > 400 ms in 3 of the last 5 samples; end: 300 ms RTT, twice the 150 ms one-way delay ITU-T G.114 finds transparent for most applications',
  },
  'low-mos': {
    metric: 'mos', direction: 'below', start: 3.5, end: 3.6, startIntervals: 3, endIntervals: 3,
    source: 'start: Twilio Voice Insights SDK warning low-mos, MOS < 3.5 in 3 of the last 5 samples; end: MOS 3.6 = R 70, the ITU-T G.109 boundary of "some users dissatisfied"',
  },
  'audio-concealment': {
    metric: 'concealedShare', direction: 'above', start: 0.03, end: 0.01, startIntervals: 2, endIntervals: 3,
    source: 'rtcStats knowledge base, concealedSamples/totalSamplesReceived: 3-5 % "clearly audible degradation" (start), < 1 % "imperceptible" (end)',
  },
  'video-freeze': {
    metric: 'freezeShare', direction: 'above', start: 0.05, end: 0.005, startIntervals: 1, endIntervals: 3,
    source: 'chosen: no published alert threshold found; the freeze itself is the W3C webrtc-stats definition (a gap between rendered frames >= max(3 x mean frame duration, mean + 150 ms)); start: 5 % of the interval frozen, in one interval because totalFreezesDuration grows only when the freeze ends, all at once; end: practically none for 3 intervals',
  },
  'cpu-limitation': {
    metric: 'cpuLimitedShare', direction: 'above', start: 0.5, end: 0.1, startIntervals: 3, endIntervals: 3,
    source: 'chosen: no published alert threshold found; W3C webrtc-stats qualityLimitationDurations; start: limited for most of the interval, end: 10 %',
  },
  'bandwidth-limitation': {
    metric: 'bandwidthLimitedShare', direction: 'above', start: 0.5, end: 0.1, startIntervals: 3, endIntervals: 3,
    source: 'chosen: no published alert threshold found; W3C webrtc-stats qualityLimitationDurations; start: limited for most of the interval, end: 10 %',
  },
  'ice-disconnected': {
    metric: 'iceDisconnected', direction: 'above', start: 0.5, end: 0.5, startIntervals: 1, endIntervals: 1,
    source: 'W3C webrtc-pc RTCIceConnectionState: "disconnected" already means consent checks are failing, so one interval starts it and one connected interval ends it',
  },
  'ice-restart': {
    metric: 'iceRestarts', direction: 'above', start: 0.5, end: 0.5, startIntervals: 1, endIntervals: 1,
    source: 'W3C webrtc-pc restartIce(): every restart is an event worth an issue; it ends with the first interval without one',
  },
})

export interface IssueTransition {
  readonly key: string
  readonly kind: IssueKind
  readonly state: 'start' | 'end'
  /** The interval that confirmed the transition (or the close time). */
  readonly atMs: number
  /** The first interval of the confirming run: when the issue really began or ended. */
  readonly sinceMs: number
  /** The metric in the confirming interval; null when closed without data. */
  readonly value: number | null
  readonly threshold: number
}

interface KindState {
  readonly active: boolean
  /** Consecutive bad intervals while inactive, recovered intervals while active. */
  readonly run: number
  readonly runSinceMs: number
}

export interface StreamIssueState {
  readonly lastAtMs: number
  readonly kinds: Readonly<Partial<Record<IssueKind, KindState>>>
}

export interface IssueTrackerOptions {
  readonly thresholds?: Partial<Record<IssueKind, IssueThreshold>>
  /**
   * A longer wait between intervals is a gap: the runs counted so far restart, an open issue
   * stays open (missing data is no recovery), and the gap counts as neither bad nor good.
   * @default 30000
   */
  readonly maxGapMs?: number
}

const initialState: StreamIssueState = { lastAtMs: Number.NEGATIVE_INFINITY, kinds: {} }

function valueOf(metrics: IntervalMetrics, metric: MetricName): number | undefined {
  const raw = metrics[metric]
  const value = typeof raw === 'boolean' ? (raw ? 1 : 0) : raw
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/** One interval for one stream: the next state and the transitions it causes. */
export function stepIssues(
  key: string,
  state: StreamIssueState,
  metrics: IntervalMetrics,
  thresholds: Readonly<Record<IssueKind, IssueThreshold>> = issueThresholds,
  maxGapMs = 30_000,
): { state: StreamIssueState; transitions: IssueTransition[] } {
  // Redelivered or reordered: an interval is judged once, after its predecessor.
  if (!Number.isFinite(metrics.atMs) || metrics.atMs <= state.lastAtMs) return { state, transitions: [] }
  const gap = metrics.atMs - state.lastAtMs > maxGapMs
  const kinds: Partial<Record<IssueKind, KindState>> = {}
  const transitions: IssueTransition[] = []
  for (const kind of Object.keys(thresholds) as IssueKind[]) {
    const threshold = thresholds[kind]
    const previous = state.kinds[kind] ?? { active: false, run: 0, runSinceMs: 0 }
    const current = gap ? { ...previous, run: 0 } : previous
    const value = valueOf(metrics, threshold.metric)
    if (value === undefined) {
      if (current.active || current.run > 0) kinds[kind] = current
      continue
    }
    const sign = threshold.direction === 'above' ? 1 : -1
    const counts = current.active ? sign * value < sign * threshold.end : sign * value > sign * threshold.start
    const run = counts ? current.run + 1 : 0
    const runSinceMs = run === 1 ? metrics.atMs : current.runSinceMs
    const needed = current.active ? threshold.endIntervals : threshold.startIntervals
    if (run >= needed) {
      const ending = current.active
      transitions.push({ key, kind, state: ending ? 'end' : 'start', atMs: metrics.atMs, sinceMs: runSinceMs, value, threshold: ending ? threshold.end : threshold.start })
      if (!ending) kinds[kind] = { active: true, run: 0, runSinceMs: 0 }
    } else if (current.active || run > 0) {
      kinds[kind] = { active: current.active, run, runSinceMs }
    }
  }
  return { state: { lastAtMs: metrics.atMs, kinds }, transitions }
}

/** Ends every open issue of a stream, for a stream or call that has ended. */
export function closeIssues(key: string, state: StreamIssueState, atMs: number, thresholds: Readonly<Record<IssueKind, IssueThreshold>> = issueThresholds): IssueTransition[] {
  return (Object.keys(state.kinds) as IssueKind[])
    .filter((kind) => state.kinds[kind]?.active === true)
    .map((kind) => ({ key, kind, state: 'end', atMs, sinceMs: atMs, value: null, threshold: thresholds[kind].end }))
}

export interface IssueTracker {
  observe(key: string, metrics: IntervalMetrics): IssueTransition[]
  /** Ends the stream's open issues and forgets the stream. */
  close(key: string, atMs: number): IssueTransition[]
  active(key: string): IssueKind[]
}

/** Issue state per stream key (session, peer connection and report id, or a call). */
export function createIssueTracker(options: IssueTrackerOptions = {}): IssueTracker {
  const thresholds: Readonly<Record<IssueKind, IssueThreshold>> = { ...issueThresholds, ...options.thresholds }
  const maxGapMs = options.maxGapMs ?? 30_000
  const streams = new Map<string, StreamIssueState>()
  return {
    observe(key, metrics) {
      const step = stepIssues(key, streams.get(key) ?? initialState, metrics, thresholds, maxGapMs)
      streams.set(key, step.state)
      return step.transitions
    },
    close(key, atMs) {
      const state = streams.get(key)
      streams.delete(key)
      return state === undefined ? [] : closeIssues(key, state, atMs, thresholds)
    },
    active(key) {
      const kinds = streams.get(key)?.kinds ?? {}
      return (Object.keys(kinds) as IssueKind[]).filter((kind) => kinds[kind]?.active === true)
    },
  }
}

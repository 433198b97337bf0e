// Unit: live issue detection, the hysteresis state machine over per-interval metrics.
import { describe, expect, it } from 'vitest'
import {
  createIssueTracker,
  issueThresholds,
  stepIssues,
  type IntervalMetrics,
  type IssueKind,
  type IssueTransition,
} from '../../processor/quality/issue-thresholds.ts'

const step = 5_000 // a 5 s stats interval
const at = (i: number) => 1_700_000_000_000 + i * step

/** Feeds one stream's intervals, numbered from 1, and returns every transition. */
function run(series: Omit<IntervalMetrics, 'atMs'>[], key = 'stream-a', tracker = createIssueTracker()): IssueTransition[] {
  return series.flatMap((metrics, i) => tracker.observe(key, { atMs: at(i + 1), ...metrics }))
}

describe('start and end', () => {
  it('starts after N = 3 consecutive intervals above 1 % loss, not before', () => {
    const tracker = createIssueTracker()
    expect(tracker.observe('s', { atMs: at(1), lossFraction: 0.05 })).toEqual([])
    expect(tracker.observe('s', { atMs: at(2), lossFraction: 0.04 })).toEqual([])
    expect(tracker.observe('s', { atMs: at(3), lossFraction: 0.06 })).toEqual([
      { key: 's', kind: 'high-loss', state: 'start', atMs: at(3), sinceMs: at(1), value: 0.06, threshold: 0.01 },
    ])
    expect(tracker.active('s')).toEqual(['high-loss'])
  })

  it('ends after M = 3 consecutive intervals under the 0.5 % end threshold', () => {
    const transitions = run([{ lossFraction: 0.05 }, { lossFraction: 0.05 }, { lossFraction: 0.05 }, { lossFraction: 0 }, { lossFraction: 0.001 }, { lossFraction: 0.004 }])
    expect(transitions.map((t) => [t.state, t.atMs, t.sinceMs, t.value, t.threshold])).toEqual([
      ['start', at(3), at(1), 0.05, 0.01],
      ['end', at(6), at(4), 0.004, 0.005],
    ])
  })

  it('low MOS is a "below" issue: under 3.5 starts it, over 3.6 ends it', () => {
    const transitions = run([{ mos: 3.2 }, { mos: 3.4 }, { mos: 3.1 }, { mos: 3.55 }, { mos: 3.9 }, { mos: 4.1 }, { mos: 4.2 }])
    expect(transitions.map((t) => [t.kind, t.state, t.atMs])).toEqual([
      ['low-mos', 'start', at(3)],
      ['low-mos', 'end', at(7)],
    ])
  })

  it('an ICE disconnect starts at once and ends with the first connected interval', () => {
    const transitions = run([{ iceDisconnected: false }, { iceDisconnected: true }, { iceDisconnected: true }, { iceDisconnected: false }])
    expect(transitions.map((t) => [t.kind, t.state, t.atMs, t.value])).toEqual([
      ['ice-disconnected', 'start', at(2), 1],
      ['ice-disconnected', 'end', at(4), 0],
    ])
  })

  it('an ICE restart is an issue of its own interval', () => {
    const transitions = run([{ iceRestarts: 0 }, { iceRestarts: 1 }, { iceRestarts: 0 }])
    expect(transitions.map((t) => [t.kind, t.state, t.atMs])).toEqual([
      ['ice-restart', 'start', at(2)],
      ['ice-restart', 'end', at(3)],
    ])
  })

  it('several issues of one stream run independently', () => {
    const bad = { rttSeconds: 0.5, jitterSeconds: 0.05, lossFraction: 0 }
    const transitions = run([bad, bad, bad])
    expect(transitions.map((t) => t.kind).sort()).toEqual(['high-jitter', 'high-rtt'])
  })

  it('streams are keyed separately', () => {
    const tracker = createIssueTracker()
    run([{ lossFraction: 0.1 }, { lossFraction: 0.1 }], 'a', tracker)
    run([{ lossFraction: 0.1 }], 'b', tracker)
    expect(tracker.observe('b', { atMs: at(3), lossFraction: 0.1 })).toEqual([])
    expect(tracker.observe('a', { atMs: at(3), lossFraction: 0.1 })).toHaveLength(1)
  })
})

describe('no flapping', () => {
  it('a metric hovering around the start threshold never starts an issue without N in a row', () => {
    const transitions = run(Array.from({ length: 20 }, (_, i) => ({ jitterSeconds: i % 3 === 2 ? 0.025 : 0.035 })))
    expect(transitions).toEqual([])
  })

  it('an open issue stays open while the metric sits between the end and start thresholds', () => {
    // Started at interval 3; then it swings between 0.6 % and 2 %: never under 0.5 %, no end.
    const series = [0.05, 0.05, 0.05, ...Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 0.006 : 0.02))].map((lossFraction) => ({ lossFraction }))
    const transitions = run(series)
    expect(transitions.map((t) => t.state)).toEqual(['start'])
  })

  it('one good interval inside a bad stretch restarts the count toward the end', () => {
    const series = [0.05, 0.05, 0.05, 0, 0, 0.02, 0, 0, 0].map((lossFraction) => ({ lossFraction }))
    const transitions = run(series)
    expect(transitions.map((t) => [t.state, t.atMs])).toEqual([
      ['start', at(3)],
      ['end', at(9)],
    ])
  })
})

describe('gaps and bad deliveries', () => {
  it('a gap restarts the run toward a start: bad intervals either side do not add up', () => {
    const tracker = createIssueTracker({ maxGapMs: 30_000 })
    tracker.observe('s', { atMs: at(1), lossFraction: 0.05 })
    tracker.observe('s', { atMs: at(2), lossFraction: 0.05 })
    // 60 s with no interval, then bad again: this is the first of a new run
    expect(tracker.observe('s', { atMs: at(2) + 60_000, lossFraction: 0.05 })).toEqual([])
    expect(tracker.observe('s', { atMs: at(2) + 65_000, lossFraction: 0.05 })).toEqual([])
    expect(tracker.observe('s', { atMs: at(2) + 70_000, lossFraction: 0.05 })).toHaveLength(1)
  })

  it('an open issue survives a gap (missing data is no recovery) and needs M good intervals after it', () => {
    const tracker = createIssueTracker()
    run([{ rttSeconds: 0.6 }, { rttSeconds: 0.6 }, { rttSeconds: 0.6 }, { rttSeconds: 0.1 }, { rttSeconds: 0.1 }], 's', tracker)
    const later = at(5) + 120_000
    expect(tracker.observe('s', { atMs: later, rttSeconds: 0.1 })).toEqual([])
    expect(tracker.active('s')).toEqual(['high-rtt'])
    expect(tracker.observe('s', { atMs: later + step, rttSeconds: 0.1 })).toEqual([])
    expect(tracker.observe('s', { atMs: later + 2 * step, rttSeconds: 0.1 })).toMatchObject([{ kind: 'high-rtt', state: 'end', sinceMs: later }])
  })

  it('an interval without the metric (or with NaN) neither counts nor breaks the run', () => {
    const transitions = run([{ lossFraction: 0.05 }, { rttSeconds: 0.1 }, { lossFraction: Number.NaN }, { lossFraction: 0.05 }, { lossFraction: 0.05 }])
    expect(transitions.map((t) => [t.kind, t.state, t.atMs, t.sinceMs])).toEqual([['high-loss', 'start', at(5), at(1)]])
  })

  it('a redelivered or reordered interval is judged once', () => {
    const tracker = createIssueTracker()
    tracker.observe('s', { atMs: at(1), lossFraction: 0.05 })
    tracker.observe('s', { atMs: at(2), lossFraction: 0.05 })
    expect(tracker.observe('s', { atMs: at(2), lossFraction: 0.05 })).toEqual([])
    expect(tracker.observe('s', { atMs: at(1), lossFraction: 0.05 })).toEqual([])
    expect(tracker.observe('s', { atMs: at(3), lossFraction: 0.05 })).toHaveLength(1)
  })

  it('closing a stream ends its open issues without a value and forgets it', () => {
    const tracker = createIssueTracker()
    run([{ freezeShare: 0.2 }, { freezeShare: 0.3 }], 's', tracker)
    expect(tracker.close('s', at(9))).toEqual([{ key: 's', kind: 'video-freeze', state: 'end', atMs: at(9), sinceMs: at(9), value: null, threshold: 0.005 }])
    expect(tracker.active('s')).toEqual([])
    expect(tracker.close('s', at(10))).toEqual([])
  })
})

describe('the state machine is pure', () => {
  it('stepIssues returns a new state and leaves the old one as it was', () => {
    const first = stepIssues('s', { lastAtMs: Number.NEGATIVE_INFINITY, kinds: {} }, { atMs: at(1), concealedShare: 0.1 })
    const snapshot = structuredClone(first.state)
    const second = stepIssues('s', first.state, { atMs: at(2), concealedShare: 0.1 })
    expect(first.state).toEqual(snapshot)
    expect(second.transitions).toMatchObject([{ kind: 'audio-concealment', state: 'start', sinceMs: at(1) }])
    // the same input from the same state gives the same answer
    expect(stepIssues('s', first.state, { atMs: at(2), concealedShare: 0.1 })).toEqual(second)
  })

  it('thresholds can be overridden per kind', () => {
    const tracker = createIssueTracker({ thresholds: { 'high-loss': { ...issueThresholds['high-loss'], start: 0.1, startIntervals: 1 } } })
    expect(tracker.observe('s', { atMs: at(1), lossFraction: 0.05 })).toEqual([])
    expect(tracker.observe('s', { atMs: at(2), lossFraction: 0.2 })).toMatchObject([{ kind: 'high-loss', threshold: 0.1 }])
  })
})

describe('the threshold table', () => {
  it('every kind has a source, N and M of at least 1, and an end on the recovered side of its start', () => {
    for (const [kind, t] of Object.entries(issueThresholds) as [IssueKind, (typeof issueThresholds)[IssueKind]][]) {
      expect(t.source.length, kind).toBeGreaterThan(20)
      expect(t.startIntervals, kind).toBeGreaterThanOrEqual(1)
      expect(t.endIntervals, kind).toBeGreaterThanOrEqual(1)
      if (t.direction === 'above') expect(t.end, kind).toBeLessThanOrEqual(t.start)
      else expect(t.end, kind).toBeGreaterThanOrEqual(t.start)
    }
  })

  it('durations are in seconds, as getStats reports them', () => {
    expect(issueThresholds['high-rtt']).toMatchObject({ metric: 'rttSeconds', start: 0.4 })
    expect(issueThresholds['high-jitter']).toMatchObject({ metric: 'jitterSeconds', start: 0.03 })
  })
})

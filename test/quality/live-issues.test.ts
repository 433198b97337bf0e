// Live issue detection on real captures: the degraded call's impairments (SUMMARY.md in
// test/fixtures/webrtc) start and end issues; the clean call raises none.
import { describe, expect, it } from 'vitest'
import { createLiveIssueDetector } from '../../processor/quality/live-issues.ts'
import type { Row } from '../../processor/report-mapper.ts'
import { loadCapture } from '../support/captures.ts'
import { mapFrame, peerFrames } from '../support/mapped-captures.ts'

async function issuesOf(captureName: string): Promise<Row[]> {
  const detector = createLiveIssueDetector()
  const issues: Row[] = []
  const capture = loadCapture(captureName)
  for (const peer of ['caller', 'callee']) {
    for (const frame of peerFrames(capture, peer)) {
      const rows = await mapFrame({ ...frame, call: { ...frame.call, peerConnectionId: `pc-${peer}` } })
      issues.push(...detector.observe(rows))
    }
  }
  return issues
}

const describeIssue = (r: Row) => `${r['peer_connection_id']} ${r['report_type']} ${r['kind']} ${r['issue']} ${r['state']}`

describe('live issues', () => {
  it('the degraded call: bandwidth limitation of the caller\'s video and each side\'s video freeze, and nothing else', async () => {
    const issues = (await issuesOf('chromium-loopback-degraded.json')).map(describeIssue)
    expect(issues.sort()).toEqual([
      'pc-callee inbound-rtp video video-freeze end',
      'pc-callee inbound-rtp video video-freeze start',
      'pc-caller inbound-rtp video video-freeze end',
      'pc-caller inbound-rtp video video-freeze start',
      'pc-caller outbound-rtp video bandwidth-limitation start',
    ])
  })

  it('the clean call raises no issue, though every interval was judged', async () => {
    const detector = createLiveIssueDetector()
    const capture = loadCapture('chromium-loopback-av.json')
    let judged = 0
    const issues: Row[] = []
    for (const frame of peerFrames(capture, 'caller')) {
      const rows = await mapFrame(frame)
      judged += rows.rtp_samples.filter((r) => r['interval_state'] === 'ok').length
      issues.push(...detector.observe(rows))
    }
    expect(judged).toBeGreaterThan(100)
    expect(issues.map(describeIssue)).toEqual([])
  })

  it('a transition row carries its interval times, value and threshold, and only pseudonymised ids', async () => {
    const issue = (await issuesOf('chromium-loopback-degraded.json')).find((r) => r['issue'] === 'video-freeze' && r['state'] === 'start')!
    expect(issue['since'] as number).toBeLessThanOrEqual(issue['ts'] as number)
    expect(issue['value'] as number).toBeGreaterThan(issue['threshold'] as number)
    expect(String(issue['participant_id'])).not.toMatch(/anna|jan|user-4711/i)
  })
})

describe('live issues of the connection', () => {
  it('a new selected candidate pair mid-call is an ICE restart; an ICE disconnect starts and ends with the state events', async () => {
    const detector = createLiveIssueDetector()
    const frames = peerFrames(loadCapture('chromium-loopback-av.json'), 'caller')
    const transitions: string[] = []
    for (const [i, frame] of frames.entries()) {
      const rows = await mapFrame(frame)
      // From frame 15 on the pair has another id, as after an ICE restart.
      if (i >= 15) for (const pair of rows.connection_samples) pair['pair_id'] = `${pair['pair_id']}-restarted`
      transitions.push(...detector.observe(rows).map((r) => `${r['issue']} ${r['state']}`))
    }
    expect(transitions).toEqual(['ice-restart start', 'ice-restart end'])
    const event = (ts: number, value: string) => ({
      rtp_samples: [],
      connection_samples: [],
      stream_issues: [],
      call_events: [{ tenant: 'acme', ts, session_id: 's', peer_connection_id: 'pc', seq: ts, name: 'ice-state', value_text: value }],
    })
    const ice = [event(1000, 'connected'), event(2000, 'disconnected'), event(5000, 'connected')].flatMap((rows) => detector.observe(rows).map((r) => `${r['issue']} ${r['state']} ${r['since']}`))
    expect(ice).toEqual(['ice-disconnected start 2000', 'ice-disconnected end 5000'])
  })
})

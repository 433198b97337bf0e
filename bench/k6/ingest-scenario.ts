// k6 scenario for a callmask deployment: the Node load generator's scenario
// (bench/load-generator.ts) for k6, against any ingest URL. Each VU iteration is one SDK
// session: open /v1/ws with the JSON subprotocol, send a hello, stream stats frames built
// from a small sample of the Chromium audio+video capture (read once in the init stage
// with open(), shared by all VUs), check that every frame is acknowledged, then close.
//
//   k6 run -e CALLMASK_URL=wss://ingest.example.com/v1/ws -e CALLMASK_KEY=cm_live_... bench/k6/ingest-scenario.ts
//
// Knobs (all optional): CALLMASK_SESSIONS concurrent sessions (VUs, default 20),
// CALLMASK_DURATION (default 1m), CALLMASK_INTERVAL_MS between frames of a session
// (default 1000, what a browser SDK sends; lower it for a stress test),
// CALLMASK_FRAMES per session (default 30). Type-checked with `npx tsc -p bench/k6`.
import { check } from 'k6'
import { SharedArray } from 'k6/data'
import { Counter, Trend } from 'k6/metrics'
import type { Options } from 'k6/options'
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'k6/timers'
import { WebSocket } from 'k6/websockets'

type Report = Record<string, unknown> & { type: string }
interface Capture {
  peers: { peerId: string; samples: { t: number; reports: Report[] }[] }[]
}
interface ServerFrame {
  type: string
  seq?: number
  code?: string
  message?: string
  retryable?: boolean
}

const url = __ENV['CALLMASK_URL'] ?? 'ws://127.0.0.1:8080/v1/ws'
const key = __ENV['CALLMASK_KEY'] ?? 'cm_dev_local_only'
const sessions = Number(__ENV['CALLMASK_SESSIONS'] ?? 20)
const duration = __ENV['CALLMASK_DURATION'] ?? '1m'
const intervalMs = Number(__ENV['CALLMASK_INTERVAL_MS'] ?? 1000)
const framesPerSession = Number(__ENV['CALLMASK_FRAMES'] ?? 30)
/** How long a session waits for its last acks after its last frame. */
const drainMs = 10_000

// The report types the SDK sends (sdk/stats-frame.ts): data minimisation at the source.
const sentTypes = ['inbound-rtp', 'outbound-rtp', 'remote-inbound-rtp', 'remote-outbound-rtp', 'candidate-pair',
  'local-candidate', 'remote-candidate', 'transport', 'media-source', 'media-playout', 'codec']

// Report fields holding an absolute time in ms (as bench/bench-frames.ts): replayed relative
// to now, all moved by one offset so the sample's last report time is the init time.
const absoluteTimeFields = ['timestamp', 'remoteTimestamp', 'lastPacketReceivedTimestamp', 'lastPacketSentTimestamp', 'estimatedPlayoutTimestamp']

// Init stage: a small sample (8 getStats() snapshots per peer) embedded in the test archive.
const samplesByPeer = new SharedArray<Report[][]>('callmask-av-samples', () => {
  const capture = JSON.parse(open('../../test/fixtures/webrtc/chromium-loopback-av.json')) as Capture
  const selected = capture.peers.map((peer) =>
    peer.samples.slice(-8).map((sample) => sample.reports.filter((report) => sentTypes.includes(report.type))),
  )
  let lastReportAt = 0
  for (const report of selected.flat(2)) if (typeof report['timestamp'] === 'number') lastReportAt = Math.max(lastReportAt, report['timestamp'])
  const offsetMs = Math.round(Date.now() - lastReportAt)
  return selected.map((samples) => samples.map((reports) => reports.map((report) => {
    const shifted: Report = { ...report }
    for (const field of absoluteTimeFields) {
      const value = shifted[field]
      if (typeof value === 'number') shifted[field] = value + offsetMs
    }
    return shifted
  })))
})

const ackLatency = new Trend('callmask_ack_latency', true)
const framesSent = new Counter('callmask_frames_sent')
const framesAcked = new Counter('callmask_frames_acked')
const unackedFrames = new Counter('callmask_unacked_frames')
const errorFrames = new Counter('callmask_error_frames')

export const options: Options = {
  scenarios: {
    sessions: { executor: 'constant-vus', vus: sessions, duration, gracefulStop: `${Math.ceil((framesPerSession * intervalMs + drainMs) / 1000) + 5}s` },
  },
  thresholds: {
    // An ack means JetStream stored the frame.
    callmask_ack_latency: ['p(50)<100', 'p(99)<1000'],
    callmask_error_frames: ['count==0'],
    callmask_unacked_frames: ['count==0'],
    checks: ['rate>0.99'],
    ws_connecting: ['p(95)<1000'],
  },
}

export default function session(): void {
  const samples = samplesByPeer[__VU % samplesByPeer.length] ?? []
  const sessionId = `k6-${__VU}-${__ITER}-${Date.now().toString(36)}`
  const call = { conferenceId: `k6-conference-${Math.floor(__VU / 2)}`, participantId: `k6-user-${__VU}`, peerConnectionId: `pc-${__VU}-${__ITER}` }
  const sentAt = new Map<number, number>()
  let seq = 0
  let acked = 0
  let helloAcked = false
  let sender: ReturnType<typeof setInterval> | undefined
  let drainTimer: ReturnType<typeof setTimeout> | undefined

  // The subprotocol goes as a header: k6/websockets takes no protocols argument.
  const ws = new WebSocket(url, null, { headers: { 'Sec-WebSocket-Protocol': 'callmask.v1.json' }, tags: { name: 'callmask-ingest' } })

  const finish = () => {
    if (sender !== undefined) clearInterval(sender)
    if (drainTimer !== undefined) clearTimeout(drainTimer)
    if (seq > acked) unackedFrames.add(seq - acked)
    check(acked, { 'every frame acknowledged': (a) => a === seq })
    ws.close()
  }

  const sendFrame = () => {
    if (seq >= framesPerSession) {
      if (sender !== undefined) clearInterval(sender)
      sender = undefined
      drainTimer = setTimeout(finish, drainMs)
      return
    }
    seq += 1
    const reports = samples[(seq - 1) % samples.length] ?? []
    sentAt.set(seq, Date.now())
    ws.send(JSON.stringify({ type: 'stats', seq, ts: Date.now(), call, reports }))
    framesSent.add(1)
  }

  ws.onopen = () => {
    ws.send(JSON.stringify({ type: 'hello', v: 1, key, sessionId, sdk: { name: 'callmask-k6', version: '0.1.0' } }))
  }

  ws.onmessage = (event) => {
    const frame = JSON.parse(String(event?.data)) as ServerFrame
    if (frame.type === 'ack' && typeof frame.seq === 'number') {
      if (!helloAcked) {
        helloAcked = true
        check(frame, { 'hello acknowledged with seq 0': (f) => f.seq === 0 })
        sendFrame()
        sender = setInterval(sendFrame, intervalMs)
        return
      }
      const now = Date.now()
      for (let s = acked + 1; s <= frame.seq; s++) {
        const t = sentAt.get(s)
        if (t !== undefined) ackLatency.add(now - t)
        sentAt.delete(s)
      }
      if (frame.seq > acked) framesAcked.add(frame.seq - acked)
      acked = Math.max(acked, frame.seq)
      if (seq >= framesPerSession && acked >= seq) finish()
    } else if (frame.type === 'error') {
      errorFrames.add(1, { code: frame.code ?? 'unknown' })
      check(frame, { 'no error frames': () => false })
    }
  }

  ws.onerror = (event) => {
    check(event, { 'no socket errors': () => false })
  }
}

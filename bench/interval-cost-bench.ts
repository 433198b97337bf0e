// Question: what does computing intervals from the frame's own `previous` cost? The design
// (README, "Call quality") trades bytes on the wire for a processor that needs no state.
//
// Method: both peers of the av capture, each frame built twice: with the previous snapshot's
// interval counters (what the SDK sends) and without (the baseline, same run). Reported:
// msgpack bytes per frame, and the processor's policy + mapping time per frame, cached
// pseudonyms, one core, after a warm-up.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Packr } from 'msgpackr'
import { replayCapture, type Capture } from '../lib/capture-replay.ts'
import { applyPolicyToStats } from '../policy/apply-policy.ts'
import { createFieldTransformerFactory } from '../policy/field-transformer.ts'
import { loadPolicy } from '../policy/load-policy.ts'
import { createPseudonymiser } from '../keyring/pseudonymiser.ts'
import { mapStatsFrame } from '../processor/report-mapper.ts'
import type { StatsFrame, StatsReport } from '../schemas/frames.ts'
import { buildStatsFrame } from '../sdk/stats-frame.ts'
import { report, round } from './bench-report.ts'

const capture = JSON.parse(readFileSync(new URL('../test/fixtures/webrtc/chromium-loopback-av.json', import.meta.url), 'utf8')) as Capture
const withPrevious: StatsFrame[] = []
const withoutPrevious: StatsFrame[] = []
const last = new Map<string, StatsReport[]>()
for (const sample of replayCapture(capture)) {
  const call = { conferenceId: 'room-1', participantId: `u-${sample.peerId}`, peerConnectionId: `pc-${sample.peerId}` }
  const frame = buildStatsFrame(withPrevious.length + 1, sample.ts, call, sample.reports, last.get(sample.peerId) ?? [])
  last.set(sample.peerId, frame.reports)
  withPrevious.push(frame)
  withoutPrevious.push(buildStatsFrame(withoutPrevious.length + 1, sample.ts, call, sample.reports))
}

const packr = new Packr({ useRecords: false })
const bytes = (frames: StatsFrame[]) => frames.reduce((sum, f) => sum + packr.pack(f).length, 0) / frames.length

const policy = loadPolicy()
const pseudonymiser = await createPseudonymiser({ currentKey: async () => ({ version: 1, key: randomBytes(32) }) }).forTenant('acme')
const transform = createFieldTransformerFactory()(pseudonymiser, {})
const source = { tenant: 'acme', sessionId: 's', seq: 1, retentionDays: 30 }

function microsecondsPerFrame(frames: StatsFrame[], passes: number): number {
  const t0 = process.hrtime.bigint()
  for (let p = 0; p < passes; p++) for (const frame of frames) mapStatsFrame(applyPolicyToStats(frame, policy, transform), source)
  return Number(process.hrtime.bigint() - t0) / 1e3 / (frames.length * passes)
}
for (let i = 0; i < 3; i++) {
  microsecondsPerFrame(withPrevious, 20)
  microsecondsPerFrame(withoutPrevious, 20)
}
const withUs = microsecondsPerFrame(withPrevious, 100)
const withoutUs = microsecondsPerFrame(withoutPrevious, 100)
const withBytes = bytes(withPrevious)
const withoutBytes = bytes(withoutPrevious)

report(
  { benchmark: 'interval-cost', bytesPerFrame: round(withBytes), bytesPerFrameBaseline: round(withoutBytes), mapUsPerFrame: round(withUs, 1), mapUsPerFrameBaseline: round(withoutUs, 1) },
  `intervals from the frame's previous snapshot: ${round(withBytes)} B/frame vs ${round(withoutBytes)} without (${round((withBytes / withoutBytes - 1) * 100, 1)}% more); ` +
    `policy + mapping ${round(withUs, 1)} us/frame vs ${round(withoutUs, 1)} (${round((withUs / withoutUs - 1) * 100, 1)}% more), ${withPrevious.length} frames of the av capture`,
)

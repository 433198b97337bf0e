// Maps a capture's samples to table rows the way the processor does (policy, then mapper),
// each frame carrying its predecessor's interval counters as the SDK sends them. No NATS or
// ClickHouse: for tests of what the rows hold; the integration tests cover the path.
import { applyPolicyToStats } from '../../policy/apply-policy.ts'
import { createFieldTransformerFactory } from '../../policy/field-transformer.ts'
import { loadPolicy } from '../../policy/load-policy.ts'
import { createPseudonymiser } from '../../keyring/pseudonymiser.ts'
import { mapStatsFrame, type FrameRows, type Row } from '../../processor/report-mapper.ts'
import type { StatsFrame, StatsReport } from '../../schemas/frames.ts'
import { buildStatsFrame } from '../../sdk/stats-frame.ts'
import { captureFrames, type Capture } from './captures.ts'
import { staticKeys } from './static-keys.ts'

const policy = loadPolicy()
const transformerFor = createFieldTransformerFactory()
const pseudonymiser = createPseudonymiser(staticKeys())

/** The processor's policy and mapping of one frame. */
export async function mapFrame(frame: StatsFrame, seq = frame.seq): Promise<FrameRows> {
  const transform = transformerFor(await pseudonymiser.forTenant('acme'), policy.detectOptions('acme'))
  return mapStatsFrame(applyPolicyToStats(frame, policy, transform), { tenant: 'acme', sessionId: 's', seq, retentionDays: 7 })
}

/** Each peer's frames in order, every frame with `previous` = the peer's frame before it. */
export function peerFrames(capture: Capture, peerId: string): StatsFrame[] {
  const frames: StatsFrame[] = []
  let previous: StatsReport[] = []
  for (const sample of captureFrames(capture).filter((f) => f.peerId === peerId)) {
    const frame = buildStatsFrame(frames.length + 1, sample.ts, sample.call, sample.reports, previous)
    previous = frame.reports
    frames.push(frame)
  }
  return frames
}

export async function peerRows(capture: Capture, peerId: string): Promise<{ rtp: Row[]; pairs: Row[] }> {
  const rtp: Row[] = []
  const pairs: Row[] = []
  for (const frame of peerFrames(capture, peerId)) {
    const rows = await mapFrame(frame)
    rtp.push(...rows.rtp_samples)
    pairs.push(...rows.connection_samples)
  }
  return { rtp, pairs }
}

export const streamRows = (rows: Row[], type: string, kind: string): Row[] => rows.filter((r) => r['report_type'] === type && r['kind'] === kind)
export const values = (rows: Row[], column: string): number[] => rows.map((r) => r[column]).filter((v): v is number => typeof v === 'number')

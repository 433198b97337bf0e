// Question: does the whole pipeline keep up with ingest, how soon after an SDK sends a frame
// can an analyst query it at a load the pipeline sustains, and does memory stay bounded when
// it is offered more than it can take? Targets (issue 13): whole pipeline >= 0.7x ingest
// alone; p99 send -> queryable < 2 s at half the sustained peak; peak RSS reported per
// process under 2x overload for 60 s. Nothing may be lost: every acknowledged frame stored.
//
// Method: as a deployment runs it, ingest is a process of its own (test/support/service-process.ts:
// `bin/callmask.ts`, role ingest) and the processor another (this one: createTestWorld, role
// processor, with chdb), on a private nats-server, with the shipped batch bounds (10,000 rows /
// 1,000 ms) and the rate limits off; the load generator (load-generator.ts) runs in a child
// process with N sessions (default 20) of the av capture's 7.2 KB frames.
//  1. Ingest alone (no processor running): F frames (default 8,000) as fast as acks allow (64
//     unacked per session); frames/s from the first send to the last ack. The stream is then purged.
//  2. Whole pipeline (the processor started): the same F frames, every row checked with count(). The
//     sustained peak is the rate between the moments 10% and 80% of the rows were stored (the
//     last, partial batch waits for the 1 s batch timer); from the first send until the last
//     row stored is reported too.
//  3. Latency at half that peak, steady, for `seconds` (default 10). A poller here queries
//     connection_samples (one row per frame, written after its rtp rows) every 25 ms for the
//     run's own session ids, from each session's lowest seq not yet seen; a frame's latency
//     is the time the poll that first returned its row completed minus the frame's `ts` (its
//     send time): send -> acked -> processed -> queryable, over-stated by up to one poll.
//     Every acknowledged seq must be seen within `settleS` of the last ack.
//  4. Overload: twice the peak offered for `overloadS` (default 60); ingest answers what it
//     cannot take with retryable backpressure errors and the load generator resends. Every
//     second: the peak resident memory of the ingest process, of this one (processor + chdb)
//     and of nats-server, and the JetStream backlog; the load generator reports its own peak. Then every
//     acknowledged frame must be stored within `drainS`.
// Everything shares the machine's 2 cores.
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { readFileSync } from 'node:fs'
import { computePseudonym } from '../keyring/pseudonymiser.ts'
import { createKeyring, openKeyringBucket } from '../keyring/keyring.ts'
import { parseMasterKey } from '../keyring/master-key.ts'
import { framesStream, processorConsumer } from '../lib/jetstream-streams.ts'
import { createTestWorld, testKey, testTenant } from '../test/support/test-pipeline.ts'
import { nowMs, numericArgs, percentile, report, round, sleep, sustainedRate, trackStored, waitForRows } from './bench-report.ts'
import { startServiceProcess } from '../test/support/service-process.ts'
import { runLoadGenerator, type LoadOptions, type LoadResult } from './load-generator-process.ts'

const args = numericArgs({ sessions: 20, frames: 8_000, seconds: 10, overloadS: 60, drainS: 180, pollMs: 25, settleS: 30 })
const world = await createTestWorld()
const noLimits = { framesPerSecondPerSession: 1_000_000, framesPerSecondPerTenant: 10_000_000 }
const admin = await connect(world.natsOptions('admin'))
const jsm = await jetstreamManager(admin)
// Session ids are stored as their keyed pseudonyms: computed with the tenant's real key (as an
// admin with the master key could) to find a run's rows.
const keyring = createKeyring({ kv: await openKeyringBucket(admin), masterKey: parseMasterKey(world.masterKey) })
const sessionIds = (runId: string) => Array.from({ length: args.sessions }, (_, i) => `${runId}s${i}`)
const load = (url: string, options: Partial<LoadOptions> & Pick<LoadOptions, 'runId' | 'mode'>, timeoutMs?: number): Promise<LoadResult> =>
  runLoadGenerator({ url, key: testKey, sessions: args.sessions, window: 64, ratePerSession: 0, warmupMs: 0, durationMs: 0, framesPerSession: 0, drainTimeoutMs: 60_000, ...options }, timeoutMs)
const burst = (url: string, runId: string) => load(url, { runId, mode: 'saturate', framesPerSession: Math.ceil(args.frames / args.sessions) })
const failures: string[] = []
const progress = (line: string) => process.stderr.write(`  ${line}\n`)

// 1. Ingest alone: its own process, no processor yet.
const ingest = await startServiceProcess(world, 'ingest')
const url = ingest.url
const alone = await burst(url, `a${Date.now().toString(36)}`)
await jsm.streams.purge(framesStream)
const ingestAloneFps = alone.framesAcked / ((alone.allAckedAt - alone.startedAt) / 1000)
progress(`ingest alone: ${round(ingestAloneFps)} frames/s acked`)

// 2. The whole pipeline at its sustained peak: the same ingest process, the processor (and chdb) in this one.
const pipeline = await world.start({ role: 'processor', ...noLimits })
const processor = pipeline.processor!
const tenantKey = await keyring.currentKey(testTenant)
const stored = (sessionId: string) => computePseudonym(tenantKey, 'session', sessionId)
const waitStored = (rows: number, before: number, withinMs: number) => waitForRows(() => processor.stats.inserted - before, rows, withinMs)
const peakRunId = `t${Date.now().toString(36)}`
const insertedBefore = processor.stats.inserted
const peakTracker = trackStored(() => processor.stats.inserted - insertedBefore)
const peak = await burst(url, peakRunId)
const peakStoredAt = await waitStored(peak.rowsAcked, insertedBefore, 60_000)
peakTracker.stop()
// Sustained: between 10% and 80% of the rows stored (the last, partial batch waits for the 1 s timer).
const sustainedRows = sustainedRate(peakTracker.samples, peak.rowsAcked)
const [counts] = await world.query<{ rows: string }>(
  `SELECT (SELECT count() FROM {db}.rtp_samples WHERE has({sessions:Array(String)}, session_id))
        + (SELECT count() FROM {db}.connection_samples WHERE has({sessions:Array(String)}, session_id)) AS rows`,
  { sessions: sessionIds(peakRunId).map(stored) },
)
const peakComplete = peak.framesAcked === peak.framesSent && Number(counts?.rows) === peak.rowsAcked
if (!peakComplete) failures.push(`peak: ${peak.framesAcked}/${peak.framesSent} frames acked, ${counts?.rows}/${peak.rowsAcked} rows stored`)
const wholeRunFps = peak.framesAcked / ((peakStoredAt - peak.startedAt) / 1000)
const e2eFps = Number.isFinite(sustainedRows) ? (sustainedRows * peak.framesAcked) / peak.rowsAcked : wholeRunFps
const pipelineIngestFps = peak.framesAcked / ((peak.allAckedAt - peak.startedAt) / 1000)
progress(`whole pipeline: ${round(e2eFps)} frames/s stored (${round(e2eFps / ingestAloneFps, 2)}x ingest alone)`)

// 3. Send -> queryable at half the peak.
const steadyRate = e2eFps / 2 / args.sessions
const steadyRunId = `l${Date.now().toString(36)}`
const steadySessions = sessionIds(steadyRunId)
const storedSteadySessions = steadySessions.map(stored)
const sessionIndex = new Map(storedSteadySessions.map((id, i) => [id, i]))
const seenSeqs = steadySessions.map(() => new Set<number>())
const lowestUnseen = steadySessions.map(() => 1)
const seen: { sent: number; latency: number }[] = []
const queryMs: number[] = []
async function pollOnce(): Promise<void> {
  const issued = nowMs()
  const rows = await world.query<{ session_id: string; seq: string | number; sent: string | number }>(
    `SELECT session_id, seq, toUnixTimestamp64Milli(ts) AS sent FROM {db}.connection_samples
     WHERE tenant = {tenant:String} AND has({sessions:Array(String)}, session_id)
       AND seq >= {from:Array(UInt32)}[indexOf({sessions:Array(String)}, session_id)]`,
    { tenant: testTenant, sessions: storedSteadySessions, from: [...lowestUnseen] },
  )
  const at = nowMs()
  queryMs.push(at - issued)
  for (const row of rows) {
    const s = sessionIndex.get(row.session_id)!
    const seq = Number(row.seq)
    if (seenSeqs[s]!.has(seq)) continue
    seenSeqs[s]!.add(seq)
    seen.push({ sent: Number(row.sent), latency: at - Number(row.sent) })
  }
  for (const [s, seqs] of seenSeqs.entries()) while (seqs.has(lowestUnseen[s]!)) lowestUnseen[s]!++
}
// Known once the load generator has finished: per session, the highest acknowledged seq.
let expected: number[] | undefined
let settleDeadline = Infinity
const allSeen = () => expected !== undefined && expected.every((upTo, s) => lowestUnseen[s]! > upTo)
const poller = (async () => {
  while (!allSeen() && nowMs() < settleDeadline) {
    await pollOnce()
    await sleep(args.pollMs)
  }
})()
const steady = await load(url, { runId: steadyRunId, mode: 'steady', window: 0, ratePerSession: steadyRate, warmupMs: 1000, durationMs: args.seconds * 1000, drainTimeoutMs: 10_000 })
expected = steadySessions.map((id) => steady.ackedPerSession.find((a) => a.sessionId === id)?.upToSeq ?? 0)
settleDeadline = steady.allAckedAt + args.settleS * 1000
await poller
// Frames sent during the warm-up second are left out, as the load generator does for acks.
const measured = seen.filter((f) => f.sent >= steady.startedAt + 1000).map((f) => f.latency)
let unseen = 0
for (const [s, upTo] of expected.entries()) for (let seq = 1; seq <= upTo; seq++) if (!seenSeqs[s]!.has(seq)) unseen++
if (unseen > 0) failures.push(`${unseen} acknowledged frames not queryable ${args.settleS} s after the last ack`)
const p50 = percentile(measured, 50)
const p99 = percentile(measured, 99)
progress(`latency at ${round(e2eFps / 2)} frames/s: p50 ${round(p50)} ms, p99 ${round(p99)} ms`)

// 4. Twice the peak for overloadS seconds: memory and backlog sampled every second.
const mbOf = (bytes: number) => round(bytes / 1e6)
// VmRSS now, VmHWM the peak since the process started (the pipeline's own: resourceUsage().maxRSS).
const memoryOf = (pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number => {
  if (pid === undefined) return 0
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  return Number(kb ?? 0) * 1024
}
const peakRss = { ingest: 0, processor: 0, natsServer: 0 }
let peakBacklog = 0
let sampling = true
// Every 10th sample is kept: bounded memory shows as a flat series, not only as a peak.
const series: { s: number; ingestMb: number; processorMb: number; natsServerMb: number; backlog: number }[] = []
const samplingFrom = nowMs()
const sampler = (async () => {
  for (let tick = 0; sampling; tick++) {
    peakRss.ingest = Math.max(peakRss.ingest, memoryOf(ingest.pid, 'VmHWM'))
    peakRss.processor = Math.max(peakRss.processor, process.resourceUsage().maxRSS * 1024)
    peakRss.natsServer = Math.max(peakRss.natsServer, memoryOf(world.nats.pid, 'VmHWM'))
    const info = await jsm.consumers.info(framesStream, processorConsumer).catch(() => undefined)
    const backlog = info ? info.num_pending + info.num_ack_pending : 0
    peakBacklog = Math.max(peakBacklog, backlog)
    if (tick % 10 === 0) {
      const now = { ingestMb: mbOf(memoryOf(ingest.pid, 'VmRSS')), processorMb: mbOf(process.memoryUsage().rss), natsServerMb: mbOf(memoryOf(world.nats.pid, 'VmRSS')) }
      series.push({ s: round((nowMs() - samplingFrom) / 1000), ...now, backlog })
    }
    await sleep(1000)
  }
})()
const overloadRunId = `o${Date.now().toString(36)}`
const overloadBefore = processor.stats.inserted
const overload = await load(url, { runId: overloadRunId, mode: 'steady', window: 0, ratePerSession: 4 * steadyRate, warmupMs: 0, durationMs: args.overloadS * 1000, drainTimeoutMs: 60_000 }, (args.overloadS + 120) * 1000)
const overloadEnd = nowMs()
const drainedAt = await waitStored(overload.rowsAcked, overloadBefore, args.drainS * 1000)
sampling = false
await sampler
const drained = processor.stats.inserted - overloadBefore >= overload.rowsAcked
if (!drained) failures.push(`overload: ${processor.stats.inserted - overloadBefore} of ${overload.rowsAcked} acknowledged rows stored ${args.drainS} s after it ended`)
const overloadAcceptedFps = overload.framesAcked / ((overload.allAckedAt - overload.startedAt) / 1000)
progress(`overload: offered ${round(2 * e2eFps)} frames/s, acked ${round(overloadAcceptedFps)}/s, backlog peak ${peakBacklog}, drained ${round((drainedAt - overloadEnd) / 1000, 1)} s after`)
await admin.close()
await ingest.stop()
await world.close()

report(
  {
    benchmark: 'e2e',
    sessions: args.sessions,
    frames: args.frames,
    ingestAloneFramesPerSecond: round(ingestAloneFps),
    e2eFramesPerSecond: round(e2eFps),
    e2eRowsPerSecond: round((e2eFps * peak.rowsAcked) / peak.framesAcked),
    e2eWholeRunFramesPerSecond: round(wholeRunFps),
    e2eOverIngestAlone: round(e2eFps / ingestAloneFps, 2),
    ingestAckedDuringE2eFramesPerSecond: round(pipelineIngestFps),
    steadyFramesPerSecond: round(steadyRate * args.sessions),
    latencyFrames: measured.length,
    queryableP50Ms: round(p50, 1),
    queryableP99Ms: round(p99, 1),
    queryableMaxMs: round(measured.reduce((a, b) => Math.max(a, b), 0), 1),
    pollQueryP50Ms: round(percentile(queryMs, 50), 1),
    ackP50Ms: steady.ackLatencyMs?.p50,
    ackP99Ms: steady.ackLatencyMs?.p99,
    unseenFrames: unseen,
    overloadSeconds: args.overloadS,
    overloadOfferedFramesPerSecond: round(4 * steadyRate * args.sessions),
    overloadAckedFramesPerSecond: round(overloadAcceptedFps),
    overloadBackpressureErrors: overload.errors['CALLMASK_ERR_BACKPRESSURE'] ?? 0,
    overloadPeakBacklogMessages: peakBacklog,
    overloadDrainSeconds: round((drainedAt - overloadEnd) / 1000, 1),
    peakRssMb: { ingest: mbOf(peakRss.ingest), processor: mbOf(peakRss.processor), natsServer: mbOf(peakRss.natsServer), loadGenerator: mbOf(overload.maxRssBytes) },
    overloadSeries: series,
    complete: failures.length === 0,
    failures,
    errors: { ...peak.errors, ...steady.errors, ...overload.errors },
  },
  `e2e: whole pipeline ${round(e2eFps)} frames/s stored vs ingest alone ${round(ingestAloneFps)} frames/s acked (${round(e2eFps / ingestAloneFps, 2)}x, target >= 0.7); `
    + `send -> queryable at half that (${round(steadyRate * args.sessions)} frames/s) p50 ${round(p50)} ms, p99 ${round(p99)} ms (target p99 < 2000); `
    + `2x overload for ${args.overloadS} s: acked ${round(overloadAcceptedFps)} of ${round(4 * steadyRate * args.sessions)} frames/s offered, peak RSS ingest ${mbOf(peakRss.ingest)} MB, `
    + `processor ${mbOf(peakRss.processor)} MB, nats-server ${mbOf(peakRss.natsServer)} MB, load generator ${mbOf(overload.maxRssBytes)} MB `
    + `(every 10 s, ingest: ${series.map((p) => p.ingestMb).join(', ')} MB; processor: ${series.map((p) => p.processorMb).join(', ')} MB), `
    + `backlog peak ${peakBacklog} messages, drained ${round((drainedAt - overloadEnd) / 1000, 1)} s after; `
    + (failures.length === 0 ? 'every acknowledged frame stored; ' : `FAILED: ${failures.join('; ')}; `)
    + `ingest and the processor in processes of their own, with the load generator and nats-server on 2 cores`,
)
process.exit(failures.length === 0 ? 0 : 1)

// Question: how long after an SDK sends a frame can an analyst query it, and how many
// frames per second does the whole pipeline carry from WebSocket to ClickHouse rows, with
// nothing lost (every frame acknowledged, every row stored)?
//
// Method: one process runs the full pipeline (startPipeline role all via createTestWorld:
// uWS ingest, JetStream on a private nats-server, processor, chdb) with small batches
// (batchMaxMs 50). The load generator (load-generator.ts) runs in a child process.
//  1. Latency: N sessions (default 20) send at a steady, moderate rate (default 25
//     frames/s each, 500 frames/s in all). Each frame's `ts` is its send time, so a row's
//     `ts` says when its frame left the client. A poller here queries connection_samples
//     (one row per frame, written after the frame's rtp rows) every 25 ms for this run's
//     own session ids, from each session's lowest seq not yet seen (no time window, so a
//     slow frame is found however late); a frame's latency is the time the poll that first
//     returned its row completed minus its `ts`: send -> acked -> processed -> queryable
//     (over-stated by up to one poll interval plus one query). Once the load generator has
//     finished, every acknowledged seq of every session is expected; polling stops when all
//     are seen or `settleS` seconds (default 30) after the last ack, and only then are the
//     missing ones reported as unseen (the run fails).
//  2. Throughput: the same sessions send a fixed number of frames as fast as acks allow
//     (64 unacknowledged per session); timed from the first send until the processor
//     has stored every row of every frame, then checked with count().
// Load generator, pipeline and nats-server share the machine's 2 cores.
import { nowMs, numericArgs, percentile, report, round, sleep } from './bench-report.ts'
import { runLoadGenerator } from './load-generator-process.ts'
import { connect } from '@nats-io/transport-node'
import { computePseudonym } from '../keyring/pseudonymiser.ts'
import { createKeyring, openKeyringBucket } from '../keyring/keyring.ts'
import { parseMasterKey } from '../keyring/master-key.ts'
import { createTestWorld, testKey, testTenant } from '../test/support/test-pipeline.ts'

const args = numericArgs({ sessions: 20, rate: 25, seconds: 5, frames: 6_000, batchMs: 50, pollMs: 25, settleS: 30 })
const world = await createTestWorld()
const pipeline = await world.start({ batchMaxMs: args.batchMs, framesPerSecondPerSession: 1_000_000, framesPerSecondPerTenant: 10_000_000 })
const processor = pipeline.processor!
const url = pipeline.ingest!.url
// Session ids are stored as their keyed pseudonyms: compute them with the tenant's real key
// (as an admin with the master key could), to find this run's rows.
const admin = await connect(world.natsOptions('admin'))
const tenantKey = await createKeyring({ kv: await openKeyringBucket(admin), masterKey: parseMasterKey(world.masterKey) }).currentKey(testTenant)
await admin.close()
const storedSessionId = (sessionId: string) => computePseudonym(tenantKey, 'session', sessionId)

// Phase 1: steady rate, per-frame send -> queryable latency.
const steadyRunId = `l${Date.now().toString(36)}`
const steadySessions = Array.from({ length: args.sessions }, (_, i) => `${steadyRunId}s${i}`)
const storedSteadySessions = steadySessions.map(storedSessionId)
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
async function poll(): Promise<void> {
  while (!allSeen() && nowMs() < settleDeadline) {
    await pollOnce()
    await sleep(args.pollMs)
  }
}
const poller = poll()
const steady = await runLoadGenerator({
  url,
  key: testKey,
  runId: steadyRunId,
  sessions: args.sessions,
  mode: 'steady',
  window: 0,
  ratePerSession: args.rate,
  warmupMs: 1000,
  durationMs: args.seconds * 1000,
  framesPerSession: 0,
  drainTimeoutMs: 10_000,
})
expected = steadySessions.map((id) => steady.ackedPerSession.find((a) => a.sessionId === id)?.upToSeq ?? 0)
settleDeadline = steady.allAckedAt + args.settleS * 1000
await poller
const settleSeconds = (nowMs() - steady.allAckedAt) / 1000
// Frames sent during the warm-up second are left out, as the load generator does for acks.
const warmupEnd = steady.startedAt + 1000
const measured = seen.filter((f) => f.sent >= warmupEnd).map((f) => f.latency)
const unseenExamples: string[] = []
let unseen = 0
for (const [s, upTo] of expected.entries()) {
  for (let seq = 1; seq <= upTo; seq++) {
    if (seenSeqs[s]!.has(seq)) continue
    unseen++
    if (unseenExamples.length < 5) unseenExamples.push(`${steadySessions[s]}:${seq}`)
  }
}
if (unseen > 0) process.stderr.write(`  ${unseen} acknowledged frames not queryable ${args.settleS} s after the last ack, e.g. ${unseenExamples.join(', ')}\n`)

// Phase 2: as fast as acks allow, until every row is stored.
const insertedBefore = processor.stats.inserted
const burstRunId = `t${Date.now().toString(36)}`
const burst = await runLoadGenerator({
  url,
  key: testKey,
  runId: burstRunId,
  sessions: args.sessions,
  mode: 'saturate',
  window: 64,
  ratePerSession: 0,
  warmupMs: 0,
  durationMs: 0,
  framesPerSession: Math.ceil(args.frames / args.sessions),
  drainTimeoutMs: 60_000,
})
const storeDeadline = nowMs() + 60_000
while (processor.stats.inserted - insertedBefore < burst.rowsAcked && nowMs() < storeDeadline) await sleep(2)
const storedAt = nowMs()
const storedRows = processor.stats.inserted - insertedBefore
const [counts] = await world.query<{ frames: string; rows: string }>(
  `SELECT (SELECT count() FROM {db}.connection_samples WHERE has({sessions:Array(String)}, session_id)) AS frames,
          (SELECT count() FROM {db}.rtp_samples WHERE has({sessions:Array(String)}, session_id))
        + (SELECT count() FROM {db}.connection_samples WHERE has({sessions:Array(String)}, session_id)) AS rows`,
  { sessions: Array.from({ length: args.sessions }, (_, i) => storedSessionId(`${burstRunId}s${i}`)) },
)
await world.close()

const complete = burst.framesAcked === burst.framesSent && storedRows === burst.rowsAcked && Number(counts?.rows) === burst.rowsAcked
const e2eSeconds = (storedAt - burst.startedAt) / 1000
const ingestSeconds = (burst.allAckedAt - burst.startedAt) / 1000
const e2eFrames = burst.framesAcked / e2eSeconds
const p50 = percentile(measured, 50)
const p99 = percentile(measured, 99)
report(
  {
    benchmark: 'e2e',
    sessions: args.sessions,
    steadyFramesPerSecond: args.sessions * args.rate,
    batchMaxMs: args.batchMs,
    pollMs: args.pollMs,
    pollQueryP50Ms: round(percentile(queryMs, 50), 1),
    latencyFrames: measured.length,
    queryableP50Ms: round(p50, 1),
    queryableP99Ms: round(p99, 1),
    queryableMaxMs: round(measured.reduce((a, b) => Math.max(a, b), 0), 1),
    ackP50Ms: steady.ackLatencyMs?.p50,
    ackP99Ms: steady.ackLatencyMs?.p99,
    unseenFrames: unseen,
    unseenExamples,
    settleBoundS: args.settleS,
    settledSecondsAfterLastAck: round(settleSeconds, 2),
    throughputFrames: burst.framesAcked,
    throughputRows: burst.rowsAcked,
    e2eFramesPerSecond: round(e2eFrames),
    e2eRowsPerSecond: round(burst.rowsAcked / e2eSeconds),
    e2eMegabytesPerSecond: round(burst.bytesAcked / e2eSeconds / 1e6, 1),
    ingestAckedFramesPerSecond: round(burst.framesAcked / ingestSeconds),
    complete,
    storedFramesCounted: Number(counts?.frames),
    errors: { ...steady.errors, ...burst.errors },
  },
  `e2e: send -> queryable p50 ${round(p50)} ms, p99 ${round(p99)} ms at ${args.sessions * args.rate} frames/s (batchMaxMs ${args.batchMs}, polled every ${args.pollMs} ms, a poll takes ${round(percentile(queryMs, 50))} ms; `
    + (unseen === 0 ? 'every acknowledged frame queryable; ' : `${unseen} acknowledged frames NOT queryable within ${args.settleS} s; `)
    + `send -> ack p50 ${steady.ackLatencyMs?.p50} ms); throughput ${round(e2eFrames)} frames/s = ${round(burst.rowsAcked / e2eSeconds)} rows/s `
    + `from WebSocket to ClickHouse (${burst.framesAcked} frames ${complete ? 'all acked and stored' : 'NOT ALL STORED'}; ingest alone acked them at ${round(burst.framesAcked / ingestSeconds)} frames/s); `
    + `one process plus load generator and nats-server on 2 cores`,
)
process.exit(complete && unseen === 0 ? 0 : 1)

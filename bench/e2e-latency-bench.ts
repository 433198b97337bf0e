// Question: how long after an SDK sends a frame can an analyst query it, and how many
// frames per second does the whole pipeline carry from WebSocket to ClickHouse rows, with
// nothing lost (every frame acknowledged, every row stored)?
//
// Method: one process runs the full pipeline (startPipeline role all via createTestWorld:
// uWS ingest, JetStream on a private nats-server, processor, chdb) with small batches
// (batchMaxMs 50). The load generator (load-generator.ts) runs in a child process.
//  1. Latency: N sessions (default 20) send at a steady, moderate rate (default 25
//     frames/s each, 500 frames/s in all). Each frame's `ts` is its send time, so a row's
//     `ts` says when its frame left the client. A poller here queries
//     connection_samples (one row per frame, written after the frame's rtp rows) every
//     25 ms for rows sent in the last few seconds; a frame's latency is the poll time at
//     which its row was first seen minus its `ts`: send -> acked -> processed -> queryable.
//     The poll interval bounds the resolution (latencies are over-stated by up to 25 ms).
//  2. Throughput: the same sessions send a fixed number of frames as fast as acks allow
//     (64 unacknowledged per session); timed from the first send until the processor
//     has stored every row of every frame, then checked with count().
// Load generator, pipeline and nats-server share the machine's 2 cores.
import { nowMs, numericArgs, percentile, report, round, sleep } from './bench-report.ts'
import { runLoadGenerator } from './load-generator-process.ts'
import { createTestWorld, testKey, testTenant } from '../test/support/test-pipeline.ts'

const args = numericArgs({ sessions: 20, rate: 25, seconds: 8, frames: 10_000, batchMs: 50, pollMs: 25 })
const world = await createTestWorld()
const pipeline = await world.start({ batchMaxMs: args.batchMs, framesPerSecondPerSession: 1_000_000, framesPerSecondPerTenant: 10_000_000 })
const processor = pipeline.processor!
const url = pipeline.ingest!.url

// Phase 1: steady rate, per-frame send -> queryable latency.
const seen = new Map<string, { sent: number; latency: number }>()
let polling = true
async function poll(): Promise<void> {
  while (polling) {
    const from = Math.round(Date.now() - 5_000)
    const rows = await world.query<{ session_id: string; seq: string | number; sent: string | number }>(
      `SELECT session_id, seq, toUnixTimestamp64Milli(ts) AS sent FROM {db}.connection_samples
       WHERE tenant = {tenant:String} AND ts >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')`,
      { tenant: testTenant, from },
    )
    const at = nowMs()
    for (const row of rows) {
      const key = `${row.session_id}:${row.seq}`
      if (!seen.has(key)) seen.set(key, { sent: Number(row.sent), latency: at - Number(row.sent) })
    }
    await sleep(args.pollMs)
  }
}
const poller = poll()
const steady = await runLoadGenerator({
  url,
  key: testKey,
  runId: `l${Date.now().toString(36)}`,
  sessions: args.sessions,
  mode: 'steady',
  window: 0,
  ratePerSession: args.rate,
  warmupMs: 1000,
  durationMs: args.seconds * 1000,
  framesPerSession: 0,
  drainTimeoutMs: 10_000,
})
const settleDeadline = nowMs() + 10_000
while (seen.size < steady.framesAcked && nowMs() < settleDeadline) await sleep(10)
polling = false
await poller
// Frames sent during the warm-up second are left out, as the load generator does for acks.
const warmupEnd = steady.startedAt + 1000
const measured = [...seen.values()].filter((f) => f.sent >= warmupEnd).map((f) => f.latency)
const unseen = steady.framesAcked - seen.size

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
  `SELECT (SELECT count() FROM {db}.connection_samples WHERE session_id LIKE {prefix:String}) AS frames,
          (SELECT count() FROM {db}.rtp_samples WHERE session_id LIKE {prefix:String})
        + (SELECT count() FROM {db}.connection_samples WHERE session_id LIKE {prefix:String}) AS rows`,
  { prefix: `${burstRunId}s%` },
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
    latencyFrames: measured.length,
    queryableP50Ms: round(p50, 1),
    queryableP99Ms: round(p99, 1),
    queryableMaxMs: round(measured.reduce((a, b) => Math.max(a, b), 0), 1),
    ackP50Ms: steady.ackLatencyMs?.p50,
    ackP99Ms: steady.ackLatencyMs?.p99,
    unseenFrames: unseen,
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
  `e2e: send -> queryable p50 ${round(p50)} ms, p99 ${round(p99)} ms at ${args.sessions * args.rate} frames/s (batchMaxMs ${args.batchMs}, polled every ${args.pollMs} ms; `
    + `send -> ack p50 ${steady.ackLatencyMs?.p50} ms); throughput ${round(e2eFrames)} frames/s = ${round(burst.rowsAcked / e2eSeconds)} rows/s `
    + `from WebSocket to ClickHouse (${burst.framesAcked} frames ${complete ? 'all acked and stored' : 'NOT ALL STORED'}; ingest alone acked them at ${round(burst.framesAcked / ingestSeconds)} frames/s); `
    + `one process plus load generator and nats-server on 2 cores`,
)
process.exit(complete && unseen === 0 ? 0 : 1)

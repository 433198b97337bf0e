// Question: how many rows per second does the processor store in ClickHouse (chdb), i.e.
// consume from JetStream, decode, validate, minimise and pseudonymise by policy, map to
// rows, batch, deduplicate, insert, ack, and how close is that to what the insert path
// alone can take (the sink's limit)?
//
// Method: a private nats-server and chdb in a temp dir (createTestWorld). M frames of the
// av capture (default 6,000 from 20 sessions, ~9 rows each, interleaved as live traffic
// would be) are published into the CALLMASK stream with ingest's envelope headers before
// the processor starts. Then the processor starts (startPipeline, role processor,
// production batch bounds: 10,000 rows / 1,000 ms) and the time until it has stored every
// row is measured. Baselines, same run, same process, same chdb: the very rows the
// processor stored are read back and inserted again, in batches of the same size, into
// fresh databases, (a) through createClickHouseSink (its dedup look-up, token and
// settings: what the processor's writer calls) and (b) through a bare client.insert
// (JSONCompactEachRow, no look-up, no dedup): the floor. Everything shares 2 cores with nats-server.
import type { ClickHouseClient } from '@clickhouse/client'
import { connect } from '@nats-io/transport-node'
import { createJetStreamPublisher } from '../ingest/jetstream-publisher.ts'
import { envelopeHeaderValues } from '../lib/frame-envelope.ts'
import { framesSubject } from '../lib/jetstream-streams.ts'
import { inboxPrefixOf } from '../lib/nats-credentials.ts'
import { createClickHouseSink, type SourceRef } from '../storage/clickhouse-sink.ts'
import { compactInserter, compactRows } from '../storage/compact-insert.ts'
import { applyMigrations } from '../storage/migrations.ts'
import type { Row, TableName } from '../processor/report-mapper.ts'
import { createTestWorld, testTenant } from '../test/support/test-pipeline.ts'
import { buildSessionFrames } from './bench-frames.ts'
import { nowMs, numericArgs, report, round, sustainedRate, trackStored, waitForRows } from './bench-report.ts'

const args = numericArgs({ sessions: 20, frames: 6_000, batchRows: 10_000 })
const perSession = Math.ceil(args.frames / args.sessions)
const tables: TableName[] = ['rtp_samples', 'connection_samples']
const world = await createTestWorld()

// 1. Pre-publish, interleaved across sessions, with the headers ingest adds, as ingest's
// NATS user (the world has created the streams).
const nc = await connect({ ...world.natsOptions('ingest'), name: 'callmask-bench-publisher' })
const publisher = createJetStreamPublisher(nc, { timeoutMs: 30_000, inboxPrefix: inboxPrefixOf('ingest') })
const sessions = Array.from({ length: args.sessions }, (_, i) => ({ id: `p${Date.now().toString(36)}s${i}`, frames: buildSessionFrames(i) }))
let expectedRows = 0
let published = 0
let pending: Promise<unknown>[] = []
const publishStarted = nowMs()
const baseTs = Date.now() - perSession * 1000
for (let seq = 1; seq <= perSession; seq++) {
  for (const s of sessions) {
    expectedRows += s.frames.rowsPerTemplate[s.frames.templateOf(seq)]!
    pending.push(
      publisher.publish(framesSubject(testTenant), s.frames.frame(seq, baseTs + seq * 1000), envelopeHeaderValues({ tenant: testTenant, sessionId: s.id, seq, encoding: 'msgpack', receivedAt: Date.now() })),
    )
    published++
    if (pending.length >= 2000) {
      await Promise.all(pending)
      pending = []
    }
  }
}
await Promise.all(pending)
const publishSeconds = (nowMs() - publishStarted) / 1000
publisher.close()
await nc.drain()

// 2. The processor, timed from start to the last row stored.
await applyMigrations(world.clickhouse, world.database) // outside the timing: start-up work
const pipeline = await world.start({ role: 'processor', batchMaxRows: args.batchRows, batchMaxMs: 1000 })
const started = nowMs()
const processor = pipeline.processor!
// The processor starts consuming inside startPipeline: rows it stored before `started` are left out.
const storedBeforeStart = processor.stats.inserted
const tracker = trackStored(() => processor.stats.inserted)
const processorSeconds = ((await waitForRows(() => processor.stats.inserted, expectedRows, 120_000)) - started) / 1000
tracker.stop()
if (processor.stats.inserted < expectedRows) throw new Error(`processor stored ${processor.stats.inserted} of ${expectedRows} rows within 120 s`)
await pipeline.close()
const stored = await countRows(world.clickhouse, world.database)
if (stored !== expectedRows) throw new Error(`ClickHouse holds ${stored} rows, expected ${expectedRows}`)

// 3. The same rows, read back and inserted again: through the sink, and bare.
interface FrameRowsOf { source: SourceRef; rows: Map<TableName, Row[]> }
const frames = new Map<string, FrameRowsOf>()
for (const table of tables) {
  const result = await world.clickhouse.query({
    query: `SELECT * REPLACE (toUnixTimestamp64Milli(ts) AS ts) FROM ${world.database}.${table} ORDER BY seq, session_id`,
    format: 'JSONEachRow',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  })
  for (const row of await result.json<Row>()) {
    const key = `${row['session_id']}\0${row['seq']}`
    let frame = frames.get(key)
    if (!frame) {
      frame = { source: { tenant: String(row['tenant']), sessionId: String(row['session_id']), seq: Number(row['seq']) }, rows: new Map() }
      frames.set(key, frame)
    }
    const list = frame.rows.get(table) ?? []
    list.push(row)
    frame.rows.set(table, list)
  }
}
// Batches as the writer builds them: whole frames until batchRows is reached.
const batches: { rows: Map<TableName, Row[]>; sources: Map<TableName, SourceRef[]> }[] = []
let batch = { rows: new Map<TableName, Row[]>(), sources: new Map<TableName, SourceRef[]>() }
let batchRows = 0
for (const frame of [...frames.values()].sort((a, b) => a.source.seq - b.source.seq)) {
  for (const [table, rows] of frame.rows) {
    if (!batch.rows.has(table)) {
      batch.rows.set(table, [])
      batch.sources.set(table, [])
    }
    batch.rows.get(table)!.push(...rows)
    batch.sources.get(table)!.push(frame.source)
    batchRows += rows.length
  }
  if (batchRows >= args.batchRows) {
    batches.push(batch)
    batch = { rows: new Map(), sources: new Map() }
    batchRows = 0
  }
}
if (batchRows > 0) batches.push(batch)

async function timedInserts(database: string, insert: (table: TableName, rows: Row[], sources: SourceRef[]) => Promise<unknown>): Promise<number> {
  await applyMigrations(world.clickhouse, database)
  const t0 = nowMs()
  for (const b of batches) for (const table of tables) {
    const rows = b.rows.get(table)
    if (rows && rows.length > 0) await insert(table, rows, b.sources.get(table) ?? [])
  }
  const seconds = (nowMs() - t0) / 1000
  const count = await countRows(world.clickhouse, database)
  if (count !== expectedRows) throw new Error(`${database} holds ${count} rows after the baseline insert, expected ${expectedRows}`)
  return seconds
}

const sink = createClickHouseSink(world.clickhouse, `${world.database}_sink`)
const sinkSeconds = await timedInserts(`${world.database}_sink`, (table, rows, sources) => sink.insert(table, rows, sources))
// The same compact text the sink sends, through the same raw insert, without its look-up and token: the insert alone.
const insertCompact = compactInserter(world.clickhouse)
const bareSettings = { async_insert: 0, wait_for_async_insert: 1, insert_deduplicate: 0, insert_deduplication_token: '' } as const
const rawSeconds = await timedInserts(`${world.database}_raw`, (table, rows) => insertCompact({ table: `${world.database}_raw.${table}`, ...compactRows(rows), settings: bareSettings }))
// What the sink used before: client.insert with the rows as arrays (on chdb: settings as session SETs).
const clientSeconds = await timedInserts(`${world.database}_client`, (table, rows) => {
  const columns = Object.keys(rows[0] ?? {}) as [string, ...string[]]
  return world.clickhouse.insert({
    table: `${world.database}_client.${table}`,
    values: rows.map((row) => columns.map((column) => row[column] ?? null)),
    columns,
    format: 'JSONCompactEachRow',
    clickhouse_settings: bareSettings,
  })
})
await world.close()

async function countRows(client: ClickHouseClient, database: string): Promise<number> {
  const result = await client.query({
    query: `SELECT (SELECT count() FROM ${database}.rtp_samples) + (SELECT count() FROM ${database}.connection_samples) AS n`,
    format: 'JSONEachRow',
  })
  const [row] = await result.json<{ n: string | number }>()
  return Number(row?.n ?? 0)
}

// The sustained rate (between 10% and 80% stored) is the figure; the whole run is reported beside it.
const wholeRunRows = (expectedRows - storedBeforeStart) / processorSeconds
const sustained = sustainedRate(tracker.samples, expectedRows)
const processorRows = Number.isFinite(sustained) ? sustained : wholeRunRows
const sinkRows = expectedRows / sinkSeconds
const rawRows = expectedRows / rawSeconds
const clientRows = expectedRows / clientSeconds
report(
  {
    benchmark: 'processor',
    frames: published,
    rows: expectedRows,
    batchRows: args.batchRows,
    prePublishFramesPerSecond: round(published / publishSeconds),
    processorRowsPerSecond: round(processorRows),
    processorFramesPerSecond: round((processorRows * published) / expectedRows),
    processorWholeRunRowsPerSecond: round(wholeRunRows),
    sinkRowsPerSecond: round(sinkRows),
    rawInsertRowsPerSecond: round(rawRows),
    clientInsertRowsPerSecond: round(clientRows),
    processorOverSink: round(processorRows / sinkRows, 2),
    processorOverRawInsert: round(processorRows / rawRows, 2),
    processorOverClientInsert: round(processorRows / clientRows, 2),
    batches: batches.length,
    redelivered: processor.stats.redelivered,
    deadLettered: processor.stats.deadLettered,
  },
  `processor: ${round(processorRows)} rows/s sustained (${round((processorRows * published) / expectedRows)} frames/s; ${round(wholeRunRows)} rows/s over the whole run, first and last batch included) into chdb vs the sink alone ${round(sinkRows)} rows/s `
    + `(${round(processorRows / sinkRows, 2)}x), the bare raw insert ${round(rawRows)} rows/s (${round(processorRows / rawRows, 2)}x, target >= 0.8) `
    + `and a bare client.insert ${round(clientRows)} rows/s (${round(processorRows / clientRows, 2)}x); `
    + `${published} frames, ${expectedRows} rows, ${batches.length} batches of ~${args.batchRows} rows; nats-server shares the 2 cores`,
)
process.exit(0)

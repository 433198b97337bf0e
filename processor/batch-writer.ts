// Collects the rows of many messages and writes them in one insert per table, bounded by
// rows and milliseconds (shaped like OpenTelemetry's BatchSpanProcessor). A message is
// acknowledged to JetStream only after every table accepted its rows.
//  - Backpressure: one batch is written while at most one more is built; add() waits when
//    both are full, so the consume loop stops pulling while ClickHouse is slow or down.
//  - Held messages are kept alive with working() so JetStream does not redeliver them.
//  - ClickHouse down: the batch is retried with backoff, custody kept.
//  - ClickHouse refusing data (a bad row): the batch is split until the message that
//    carries it is found; that one goes to the dead-letter stream, the rest are written.
import type { Logger } from 'pino'
import type { RowSink, SourceRef } from './clickhouse-sink.ts'
import { tableNames, type FrameRows, type Row, type TableName } from './report-mapper.ts'

export interface BatchItem {
  source: SourceRef
  rows: FrameRows
  ack(): void
  /** Tells JetStream the message is still being worked on (extends its ack wait). */
  working(): void
  /** Sends the message to the dead-letter stream with the reason, then acks it. */
  deadLetter(reason: string): Promise<void>
}

export interface BatchWriterOptions {
  maxRows: number
  maxMs: number
  /** How often held messages are marked in progress; a third of the consumer's ack wait. */
  heartbeatMs: number
  /** True when an insert error means the data is bad, not that ClickHouse is unavailable. */
  isPermanent(error: unknown): boolean
  /** Called after a batch is stored, with its size; for metrics. */
  onFlushed?: (stats: { messages: number; rows: number; inserted: number; ms: number }) => void
  /** Test hook: runs after the inserts succeeded and before the acks (crash simulation). */
  beforeAck?: () => Promise<void> | void
}

export interface BatchWriter {
  add(item: BatchItem): Promise<void>
  /** Writes whatever is pending; resolves when it is stored and acknowledged (or left for redelivery). */
  flush(): Promise<void>
  close(): Promise<void>
  /** From now on a failing write gives up after a few attempts (leaving its messages for redelivery) instead of retrying forever. */
  stopRetrying(): void
  /** Drops pending items unacknowledged (JetStream redelivers them) and stops the timers. */
  discard(): void
}

const rowCount = (item: BatchItem) => tableNames.reduce((n, t) => n + item.rows[t].length, 0)

export function createBatchWriter(sink: RowSink, log: Logger, options: BatchWriterOptions): BatchWriter {
  let building: BatchItem[] = []
  let buildingRows = 0
  let firstAddedAt = 0
  let writingBatch: BatchItem[] = []
  let writing: Promise<void> | undefined
  let closing = false

  const flushTimer = setInterval(() => {
    if (!writing && building.length > 0 && Date.now() - firstAddedAt >= options.maxMs) void handOver()
  }, Math.max(5, Math.min(options.maxMs, 100)))
  const heartbeat = setInterval(() => {
    for (const item of writingBatch) item.working()
    for (const item of building) item.working()
  }, options.heartbeatMs)

  async function insertGroup(batch: BatchItem[]): Promise<number> {
    const byTable = new Map<TableName, { rows: Row[]; sources: SourceRef[] }>()
    // The same frame twice in one batch (a resend JetStream could not dedupe) counts once.
    const seen = new Set<string>()
    for (const item of batch) {
      const key = `${item.source.tenant}\0${item.source.sessionId}\0${item.source.seq}`
      if (seen.has(key)) continue
      seen.add(key)
      for (const table of tableNames) {
        const rows = item.rows[table]
        if (rows.length === 0) continue
        let entry = byTable.get(table)
        if (!entry) byTable.set(table, (entry = { rows: [], sources: [] }))
        for (const row of rows) entry.rows.push(row)
        entry.sources.push(item.source)
      }
    }
    let inserted = 0
    // A retry of a table that did succeed is harmless: its rows are found and skipped.
    for (const [table, { rows, sources }] of byTable) inserted += await sink.insert(table, rows, sources)
    return inserted
  }

  /** Inserts a group; on bad data splits it until the bad message is isolated. Returns rows inserted. */
  async function storeOrIsolate(batch: BatchItem[]): Promise<number> {
    try {
      const inserted = await insertGroup(batch)
      await options.beforeAck?.()
      for (const item of batch) item.ack()
      return inserted
    } catch (error) {
      if (!options.isPermanent(error)) throw error
      if (batch.length === 1) {
        const reason = `ClickHouse refused the rows: ${(error as { code?: string }).code ?? 'data error'}`
        log.warn({ tenant: batch[0]!.source.tenant, reason }, 'message sent to the dead-letter stream')
        await batch[0]!.deadLetter(reason)
        return 0
      }
      const half = Math.ceil(batch.length / 2)
      return (await storeOrIsolate(batch.slice(0, half))) + (await storeOrIsolate(batch.slice(half)))
    }
  }

  async function write(batch: BatchItem[]): Promise<void> {
    const started = Date.now()
    for (let attempt = 1; ; attempt++) {
      try {
        const inserted = await storeOrIsolate(batch)
        options.onFlushed?.({ messages: batch.length, rows: batch.reduce((n, i) => n + rowCount(i), 0), inserted, ms: Date.now() - started })
        return
      } catch (error) {
        if (closing && attempt >= 3) {
          // Not acked: JetStream redelivers them to the next processor. Nothing is lost.
          log.error({ messages: batch.length, err: (error as Error).message }, 'shutting down with a batch ClickHouse did not take; left unacknowledged for redelivery')
          return
        }
        const delay = Math.min(100 * 2 ** attempt, 5000)
        log.warn({ attempt, delayMs: delay, err: (error as Error).message }, 'ClickHouse insert failed; retrying')
        await new Promise((r) => setTimeout(r, delay))
      }
    }
  }

  /** Hands the batch being built to the writer once the writer is free. */
  async function handOver(): Promise<void> {
    while (writing) await writing
    if (building.length === 0) return
    const batch = building
    building = []
    buildingRows = 0
    writingBatch = batch
    writing = write(batch)
      .catch((error: unknown) => log.error({ err: (error as Error).message }, 'batch write failed; its messages will be redelivered'))
      .finally(() => {
        writing = undefined
        writingBatch = []
      })
  }

  async function flush(): Promise<void> {
    await handOver()
    while (writing) await writing
  }

  function stopTimers(): void {
    clearInterval(flushTimer)
    clearInterval(heartbeat)
  }

  return {
    async add(item) {
      if (building.length === 0) firstAddedAt = Date.now()
      building.push(item)
      buildingRows += rowCount(item)
      if (buildingRows >= options.maxRows) await handOver()
    },
    flush,
    async close() {
      closing = true
      await flush()
      stopTimers()
    },
    stopRetrying() {
      closing = true
    },
    discard() {
      closing = true
      stopTimers()
      building = []
    },
  }
}

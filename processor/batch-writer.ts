// Collects the rows of many messages and writes them in one insert per table, bounded by
// rows and milliseconds (shaped like OpenTelemetry's BatchSpanProcessor). A message is
// acknowledged to JetStream only after every table accepted its rows; while ClickHouse
// is down the batch is retried with backoff and new messages wait (backpressure).
import type { Logger } from 'pino'
import type { RowSink, SourceRef } from './clickhouse-sink.ts'
import { tableNames, type FrameRows, type Row, type TableName } from './report-mapper.ts'

export interface BatchItem {
  source: SourceRef
  rows: FrameRows
  ack(): void
  /** Tells JetStream the message is still being worked on (extends its ack wait). */
  working(): void
}

export interface BatchWriterOptions {
  maxRows: number
  maxMs: number
  /** Called after a batch is stored, with its size; for metrics. */
  onFlushed?: (stats: { messages: number; rows: number; inserted: number; ms: number }) => void
  /** Test hook: runs after the inserts succeeded and before the acks (crash simulation). */
  beforeAck?: () => Promise<void> | void
}

export interface BatchWriter {
  add(item: BatchItem): Promise<void>
  /** Writes whatever is pending; resolves when it is stored and acknowledged. */
  flush(): Promise<void>
  close(): Promise<void>
  /** Drops pending items unacknowledged (JetStream redelivers them) and stops the timer. */
  discard(): void
}

export function createBatchWriter(sink: RowSink, log: Logger, options: BatchWriterOptions): BatchWriter {
  let items: BatchItem[] = []
  let rowCount = 0
  let firstAddedAt = 0
  let inFlight: Promise<void> = Promise.resolve()
  let closed = false
  const timer = setInterval(() => {
    if (items.length > 0 && Date.now() - firstAddedAt >= options.maxMs) void flush()
  }, Math.max(5, Math.min(options.maxMs, 100)))

  async function write(batch: BatchItem[]): Promise<void> {
    const started = Date.now()
    const byTable = new Map<TableName, { rows: Row[]; sources: SourceRef[] }>()
    for (const table of tableNames) byTable.set(table, { rows: [], sources: [] })
    // The same frame twice in one batch (a resend JetStream could not dedupe) counts once.
    const seen = new Set<string>()
    for (const item of batch) {
      const key = `${item.source.tenant}\0${item.source.sessionId}\0${item.source.seq}`
      if (seen.has(key)) continue
      seen.add(key)
      for (const table of tableNames) {
        const rows = item.rows[table]
        if (rows.length === 0) continue
        const entry = byTable.get(table)!
        for (const row of rows) entry.rows.push(row)
        entry.sources.push(item.source)
      }
    }
    let inserted = 0
    for (let attempt = 1; ; attempt++) {
      try {
        inserted = 0
        for (const [table, { rows, sources }] of byTable) inserted += await sink.insert(table, rows, sources)
        break
      } catch (error) {
        if (closed && attempt > 3) throw error
        const delay = Math.min(100 * 2 ** attempt, 5000)
        log.warn({ attempt, delayMs: delay, err: (error as Error).message }, 'ClickHouse insert failed; retrying')
        for (const item of batch) item.working()
        // A retry of a table that did succeed is harmless: its rows are found and skipped.
        await new Promise((r) => setTimeout(r, delay))
      }
    }
    await options.beforeAck?.()
    for (const item of batch) item.ack()
    const rows = batch.reduce((n, item) => n + tableNames.reduce((m, t) => m + item.rows[t].length, 0), 0)
    options.onFlushed?.({ messages: batch.length, rows, inserted, ms: Date.now() - started })
  }

  function flush(): Promise<void> {
    if (items.length === 0) return inFlight
    const batch = items
    items = []
    rowCount = 0
    // One insert in flight while the next batch fills (double buffering).
    inFlight = inFlight.then(() => write(batch))
    return inFlight
  }

  return {
    async add(item) {
      if (items.length === 0) firstAddedAt = Date.now()
      items.push(item)
      for (const table of tableNames) rowCount += item.rows[table].length
      if (rowCount >= options.maxRows) {
        const previous = inFlight
        void flush()
        // Wait for the older batch, so at most one more is built while one is written.
        await previous
      }
    },
    flush,
    async close() {
      closed = true
      clearInterval(timer)
      await flush()
    },
    discard() {
      closed = true
      clearInterval(timer)
      items = []
    },
  }
}

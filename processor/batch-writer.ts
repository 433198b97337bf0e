// Collects the rows of many messages and writes them in one insert per table, bounded by
// rows and milliseconds (shaped like OpenTelemetry's BatchSpanProcessor). A message is
// acknowledged to JetStream only after every table accepted its rows.
//  - Backpressure: one batch is written while at most one more is built; add() waits when
//    both are full, so the consume loop stops pulling while ClickHouse is slow or down.
//  - Held messages are kept alive with working() so JetStream does not redeliver them.
//  - ClickHouse down: the batch is retried with backoff, custody kept; one error line per
//    burst of failures, one when it recovers.
//  - ClickHouse refusing data (a bad row): the batch is split until the message that
//    carries it is found; that one goes to the dead-letter stream, the rest are written.
//  - An error ClickHouse gives that is not classified: after a few attempts the batch is
//    split the same way; a single message is dead-lettered only if ClickHouse answers a
//    probe and the rest of its batch was stored (or it was alone), so a systemic failure
//    keeps custody instead of dead-lettering everything.
//  - The age of the oldest held message is exposed: a stuck writer shows in metrics and /readyz.
import type { Logger } from 'pino'
import type { InsertErrorKind } from '../storage/clickhouse-errors.ts'
import type { RowSink, SourceRef } from '../storage/clickhouse-sink.ts'
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
  /** What a failed insert means (clickhouse-errors.ts). */
  classify(error: unknown): InsertErrorKind
  /** Whether ClickHouse answers at all; asked before an unclassified error dead-letters a message. */
  probe?: () => Promise<boolean>
  /** Attempts of a whole batch failing with an unclassified error before it is split. @default 3 */
  unknownErrorAttempts?: number
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
  /** Age of the oldest message held (building or being written), 0 when none. */
  oldestHeldAgeMs(): number
}

const rowCount = (item: BatchItem) => tableNames.reduce((n, t) => n + item.rows[t].length, 0)

export function createBatchWriter(sink: RowSink, log: Logger, options: BatchWriterOptions): BatchWriter {
  const unknownErrorAttempts = options.unknownErrorAttempts ?? 3
  const addedAt = new WeakMap<BatchItem, number>()
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

  interface Isolation {
    /** Split on unclassified errors too (the whole batch failed several times). */
    unknownToo: boolean
    /** Messages of the original batch stored so far: proof the failure is not systemic. */
    stored: number
    alone: boolean
    /** Acked or dead-lettered in this or an earlier attempt: never written or dead-lettered twice. */
    settled: Set<BatchItem>
  }

  /** Inserts a group; on bad data splits it until the bad message is isolated. Returns rows inserted. */
  async function storeOrIsolate(group: BatchItem[], isolation: Isolation): Promise<number> {
    const batch = group.filter((item) => !isolation.settled.has(item))
    if (batch.length === 0) return 0
    try {
      const inserted = await insertGroup(batch)
      await options.beforeAck?.()
      for (const item of batch) item.ack()
      for (const item of batch) isolation.settled.add(item)
      isolation.stored += batch.length
      return inserted
    } catch (error) {
      const kind = options.classify(error)
      if (kind === 'unavailable' || (kind === 'unknown' && !isolation.unknownToo)) throw error
      if (batch.length === 1) {
        if (kind === 'unknown' && !(await mayDeadLetterOnUnknown(isolation))) throw error
        const { code, type } = error as { code?: string; type?: string }
        const reason = `ClickHouse refused the rows: ${type ?? 'error'} (code ${code ?? '?'})`
        log.warn({ tenant: batch[0]!.source.tenant, reason }, 'message sent to the dead-letter stream')
        await batch[0]!.deadLetter(reason)
        isolation.settled.add(batch[0]!)
        return 0
      }
      const half = Math.ceil(batch.length / 2)
      return (await storeOrIsolate(batch.slice(0, half), isolation)) + (await storeOrIsolate(batch.slice(half), isolation))
    }
  }

  async function mayDeadLetterOnUnknown(isolation: Isolation): Promise<boolean> {
    if (!isolation.alone && isolation.stored === 0) return false // every message fails: systemic
    return (await options.probe?.().catch(() => false)) ?? false
  }

  async function write(batch: BatchItem[]): Promise<void> {
    const started = Date.now()
    const settled = new Set<BatchItem>()
    for (let attempt = 1; ; attempt++) {
      const isolation: Isolation = { unknownToo: attempt > unknownErrorAttempts, stored: 0, alone: batch.length === 1, settled }
      try {
        const inserted = await storeOrIsolate(batch, isolation)
        options.onFlushed?.({ messages: batch.length, rows: batch.reduce((n, i) => n + rowCount(i), 0), inserted, ms: Date.now() - started })
        if (attempt > 1) log.info({ attempts: attempt, seconds: Math.round((Date.now() - started) / 1000) }, 'ClickHouse took the batch again')
        return
      } catch (error) {
        if (closing && attempt >= 3) {
          // Not acked: JetStream redelivers them to the next processor. Nothing is lost.
          log.error({ messages: batch.length, err: (error as Error).message }, 'shutting down with a batch ClickHouse did not take; left unacknowledged for redelivery')
          return
        }
        const delay = Math.min(100 * 2 ** attempt, 5000)
        // One error line per burst; the retries themselves are debug.
        if (attempt === 1) {
          log.error({ messages: batch.length, kind: options.classify(error), err: (error as Error).message }, 'ClickHouse insert failed; retrying with backoff, messages stay in custody')
        } else {
          log.debug({ attempt, delayMs: delay, err: (error as Error).message }, 'ClickHouse insert failed again')
        }
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
      addedAt.set(item, Date.now())
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
    oldestHeldAgeMs() {
      const first = writingBatch[0] ?? building[0]
      const since = first ? addedAt.get(first) : undefined
      return since === undefined ? 0 : Date.now() - since
    },
  }
}

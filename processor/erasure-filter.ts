// Rows of an erased data subject that were still in flight (waiting in JetStream, or in a
// batch) when the erasure ran must not be inserted afterwards. The processor keeps the
// erasure list (storage/erasure-list.ts) in memory, refreshed every few seconds, and drops
// every row that carries a listed pseudonym in any string column just before the insert,
// so a batch retried after a ClickHouse outage is checked against the newest list too.
import type { Logger } from 'pino'
import type { ErasureList } from '../storage/erasure-list.ts'
import { pseudonymTokens } from '../storage/erasure-list.ts'
import type { RowSink } from '../storage/clickhouse-sink.ts'
import type { Row } from '../storage/tables.ts'

export interface ErasureFilter {
  sink: RowSink
  /** Reads the list now; the erasure operation's second pass relies on the refresh interval. */
  refresh(): Promise<void>
  close(): void
}

function carriesAny(row: Row, erased: ReadonlySet<string>): boolean {
  for (const value of Object.values(row)) {
    if (typeof value !== 'string' || !value.includes('p_k')) continue
    for (const token of pseudonymTokens(value)) if (erased.has(token)) return true
  }
  return false
}

export function createErasureFilter(list: ErasureList, inner: RowSink, log: Logger, options: { refreshMs: number; onDropped: (rows: number) => void }): ErasureFilter {
  let erased = new Map<string, Set<string>>()
  async function refresh(): Promise<void> {
    erased = await list.read()
  }
  const timer = setInterval(() => {
    refresh().catch((error: Error) => log.warn({ err: error.message }, 'the erasure list could not be read; the last one read stays in use'))
  }, options.refreshMs)
  timer.unref()
  return {
    refresh,
    close: () => clearInterval(timer),
    sink: {
      async insert(table, rows, sources) {
        if (erased.size === 0) return inner.insert(table, rows, sources)
        const kept = rows.filter((row) => {
          const listed = erased.get(row['tenant'] as string)
          return !listed || !carriesAny(row, listed)
        })
        if (kept.length < rows.length) options.onDropped(rows.length - kept.length)
        return inner.insert(table, kept, sources)
      },
    },
  }
}

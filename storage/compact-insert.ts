// How a batch of rows reaches ClickHouse: as JSONCompactEachRow text the sink builds once
// (its deduplication token hashes the same text), sent
//  - to chdb as a raw insert: the bytes go to chdb's own multithreaded parser, and the
//    settings ride in the INSERT's SETTINGS clause. client.insert on chdb turns settings into
//    session-wide SETs that stay for every later query, and serialises every row again;
//  - to a ClickHouse server through client.insert with the text as a byte stream (a stream
//    that is not in object mode is sent as it is, so nothing is serialised twice).
// Both answer errors in the client's ClickHouseError shape, which clickhouse-errors.ts classifies.
import { parseError, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client'
import { Readable } from 'node:stream'

export interface CompactInsert {
  /** Database-qualified table. */
  table: string
  columns: readonly string[]
  /** One JSON array per row, each ending in a newline. */
  body: string
  settings: ClickHouseSettings
}

export type CompactInserter = (insert: CompactInsert) => Promise<void>

/** What chdb/connection offers beside the client's contract (its `.chdb` extension). */
export interface ChdbRawInsert {
  rawInsert(params: { table: string; values: Buffer; format: 'JSONCompactEachRow'; columns: readonly string[]; settings: ClickHouseSettings }): Promise<unknown>
}

const chdbOfClient = new WeakMap<ClickHouseClient, ChdbRawInsert>()

/** Called by connectClickHouse for a client over chdb. */
export function registerChdbClient(client: ClickHouseClient, chdb: ChdbRawInsert): void {
  chdbOfClient.set(client, chdb)
}

export function compactInserter(client: ClickHouseClient): CompactInserter {
  const chdb = chdbOfClient.get(client)
  if (!chdb) {
    return async ({ table, columns, body, settings }) => {
      await client.insert({
        table,
        columns: columns as [string, ...string[]],
        values: Readable.from([body], { objectMode: false }),
        format: 'JSONCompactEachRow',
        clickhouse_settings: settings,
      })
    }
  }
  return async ({ table, columns, body, settings }) => {
    try {
      await chdb.rawInsert({ table, values: Buffer.from(body), format: 'JSONCompactEachRow', columns, settings })
    } catch (error) {
      // `Code: N. DB::Exception: ... (TYPE)` becomes a ClickHouseError with code and type, as
      // the client's own chdb path does; anything else (a closed session) stays as it is.
      const message = error instanceof Error ? error.message : String(error)
      const mapped = parseError(message)
      if (mapped !== error) mapped.cause = error
      throw mapped
    }
  }
}

// How a batch of rows reaches ClickHouse: as JSONCompactEachRow text the sink builds once
// (its deduplication token hashes the same text), sent
//  - to chdb as a raw insert: the bytes go to chdb's own multithreaded parser, and the
//    settings ride in the INSERT's SETTINGS clause. client.insert on chdb turns settings into
//    session-wide SETs that stay for every later query, and serialises every row again;
//  - to a ClickHouse server as the body of `INSERT ... FORMAT JSONCompactEachRow` through
//    client.exec, settings as the request's query parameters (client.insert would want the
//    rows again as objects in an object-mode stream, to serialise them a second time).
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

/** Rows as JSONCompactEachRow text, columns in the first row's key order (rows of one table share it). */
/** `same`: columns whose value is the same in every row (appended once per row, not copied into each row object); it wins over a row's own. */
export function compactRows(rows: readonly Record<string, unknown>[], same: Record<string, string | number> = {}): Pick<CompactInsert, 'columns' | 'body'> {
  const own = Object.keys(rows[0] ?? {}).filter((column) => !Object.hasOwn(same, column))
  const shared = Object.keys(same)
  const tail = shared.length === 0 ? ']' : ',' + JSON.stringify(shared.map((column) => same[column])).slice(1)
  let body = ''
  for (const row of rows) body += JSON.stringify(own.map((column) => row[column] ?? null)).slice(0, -1) + tail + '\n'
  return { columns: [...own, ...shared], body }
}

/** What chdb/connection offers beside the client's contract (its `.chdb` extension). */
export interface ChdbRawInsert {
  rawInsert(params: { table: string; values: Buffer; format: 'JSONCompactEachRow'; columns: readonly string[]; settings: ClickHouseSettings }): Promise<unknown>
}

const chdbOfClient = new WeakMap<ClickHouseClient, ChdbRawInsert>()

/** Called by connectClickHouse for a client over chdb; refuses a chdb without the raw insert. */
export function registerChdbClient(client: ClickHouseClient, chdb: Partial<ChdbRawInsert> | undefined): void {
  if (typeof chdb?.rawInsert !== 'function') throw new Error('this chdb has no raw insert (connection.chdb.rawInsert); callmask needs chdb 3.4 or later')
  chdbOfClient.set(client, chdb as ChdbRawInsert)
}

const quoted = (identifier: string) => `\`${identifier.replaceAll('`', '``')}\``

export function compactInserter(client: ClickHouseClient): CompactInserter {
  const chdb = chdbOfClient.get(client)
  if (!chdb) {
    return async ({ table, columns, body, settings }) => {
      const result = await client.exec({
        query: `INSERT INTO ${table.split('.').map(quoted).join('.')} (${columns.map(quoted).join(', ')}) FORMAT JSONCompactEachRow`,
        values: Readable.from([body], { objectMode: false }),
        clickhouse_settings: settings,
      })
      // The response has no rows; reading it to the end releases the connection.
      result.stream.resume()
      await new Promise<void>((resolve, reject) => result.stream.once('end', resolve).once('error', reject))
    }
  }
  return async ({ table, columns, body, settings }) => {
    try {
      await chdb.rawInsert({ table, values: Buffer.from(body), format: 'JSONCompactEachRow', columns, settings })
    } catch (error) {
      // `Code: N. DB::Exception: ... (TYPE)` becomes a ClickHouseError with code and type, as the
      // client's own chdb path does; anything else (a closed session) is thrown as it was.
      throw error instanceof Error ? parseError(error) : parseError(String(error))
    }
  }
}

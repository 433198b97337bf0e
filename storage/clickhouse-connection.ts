// One code path, two connections: a ClickHouse server when CLICKHOUSE_URL is set, otherwise
// chdb (in-process ClickHouse) under the data directory, both behind @clickhouse/client.
import { createClient, type ClickHouseClient } from '@clickhouse/client'
import { createChdbConnection } from 'chdb/connection'
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { registerChdbClient, type ChdbRawInsert } from './compact-insert.ts'

export interface ClickHouseTarget {
  url?: string | undefined
  user?: string
  password?: string
  /** chdb's store directory when no url is given. chdb allows one per process. */
  chdbPath: string
}

export function connectClickHouse(target: ClickHouseTarget): { client: ClickHouseClient; embedded: boolean; where: string } {
  if (target.url) {
    const client = createClient({ url: target.url, username: target.user ?? 'default', password: target.password ?? '' })
    return { client, embedded: false, where: new URL(target.url).host }
  }
  const path = resolve(target.chdbPath)
  mkdirSync(path, { recursive: true })
  // chdb builds against its own copy of the client's types; the runtime interface is the same.
  const chdbConnection = createChdbConnection({ path })
  const connection = chdbConnection as unknown as NonNullable<Parameters<typeof createClient>[0]>['connection']
  const client = createClient({ connection })
  // Batches go in through chdb's raw insert (compact-insert.ts).
  registerChdbClient(client, chdbConnection.chdb as unknown as Partial<ChdbRawInsert>)
  return { client, embedded: true, where: path }
}

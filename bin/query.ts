// `npm run query -- "SQL"`: runs one read-only query against the configured store (chdb
// under ./data, or CLICKHOUSE_URL) and prints the rows. While callmask runs on the embedded
// store, the query goes through its analyst API instead (bin/query-through-api.ts).
import { loadConfig } from '../lib/config.ts'
import { connectClickHouse } from '../storage/clickhouse-connection.ts'
import { existsSync } from 'node:fs'
import { dataDirOwner } from '../lib/data-dir-lock.ts'
import { queryThroughApi } from './query-through-api.ts'
import { join } from 'node:path'

const sql = process.argv.slice(2).join(' ').trim()
if (!sql) {
  process.stderr.write('Usage: npm run query -- "SELECT count() FROM callmask.rtp_samples"\n')
  process.exit(2)
}
if (!/^\s*(SELECT|SHOW|DESCRIBE|DESC|EXPLAIN|WITH)\b/i.test(sql)) {
  process.stderr.write('Only read-only statements (SELECT, SHOW, DESCRIBE, EXPLAIN, WITH) are accepted here.\n')
  process.exit(2)
}
process.umask(0o077)
const config = loadConfig()
// Opening chdb on a missing path would create an empty store; say where none is instead.
if (!config.clickhouseUrl && !existsSync(join(config.dataDir, 'chdb'))) {
  process.stderr.write(`There is no callmask store under ${config.dataDir} (no ${join(config.dataDir, 'chdb')}). Run npm start first, or set CALLMASK_DATA_DIR to its data directory, or CLICKHOUSE_URL.\n`)
  process.exit(1)
}
if (!config.clickhouseUrl && dataDirOwner(config.dataDir) !== undefined) {
  process.exit(await queryThroughApi(config.dataDir, config.clickhouseDatabase, sql, process.env))
}
let connection: ReturnType<typeof connectClickHouse>
try {
  connection = connectClickHouse({
    url: config.clickhouseUrl,
    user: config.clickhouseUser,
    password: config.clickhousePassword,
    chdbPath: join(config.dataDir, 'chdb'),
  })
} catch (error) {
  process.stderr.write(`Cannot open the store: ${(error as Error).message}\nIf callmask is running on the embedded store, stop it first: chdb allows one process per store.\n`)
  process.exit(1)
}
const { client, where } = connection
try {
  const result = await client.query({ query: sql, format: 'JSONEachRow', clickhouse_settings: { readonly: '1' } })
  const rows = await result.json<Record<string, unknown>>()
  console.table(rows)
  process.stdout.write(`${rows.length} row(s) from ${where}\n`)
} catch (error) {
  const message = (error as Error).message
  const hint = /lock|only one active data directory/i.test(message) ? ' Is callmask running on this store? Stop it first: chdb allows one process per store.' : ''
  process.stderr.write(`The query failed: ${message.split('\n')[0]}${hint}\n`)
  process.exitCode = 1
} finally {
  await client.close().catch(() => undefined)
}

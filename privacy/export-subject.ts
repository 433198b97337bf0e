// Export of one data subject's data (Art. 15 access, Art. 20 portability): every row of
// every table that carries one of its pseudonyms, as stored (pseudonymised). JSON is one
// document streamed table by table; CSV is one table per request (CSV has no place for
// several tables), with a header line. Aggregate state columns are finalised per row.
import { PassThrough, type Readable } from 'node:stream'
import type { ClickHouseClient } from '@clickhouse/client'
import { internalQueryLimits } from '../storage/query-limits.ts'
import type { Actor, AdminContext } from './admin-context.ts'
import { carriesAnyCondition, dataTables, type DataTable } from './data-tables.ts'
import { PrivacyOperationError } from './operation-error.ts'
import { countRows } from './subject-tables.ts'
import { pseudonymsOf } from './erase-subject.ts'

export type ExportFormat = 'json' | 'csv'

function selectList(table: DataTable): string {
  return table.columns
    .map((c) => {
      const quoted = '`' + c.name.replaceAll('`', '') + '`'
      return c.type.startsWith('AggregateFunction(') ? `finalizeAggregation(${quoted}) AS ${quoted}` : quoted
    })
    .join(', ')
}

async function streamTable(clickhouse: ClickHouseClient, database: string, table: DataTable, format: 'JSONEachRow' | 'CSVWithNames', params: Record<string, unknown>): Promise<Readable> {
  const result = await clickhouse.query({
    query: `SELECT ${selectList(table)} FROM ${database}.${table.name} WHERE tenant = {tenant:String} AND ${carriesAnyCondition(table)}`,
    query_params: params,
    format,
    clickhouse_settings: { ...internalQueryLimits(), output_format_json_quote_64bit_integers: 0 },
  })
  return result.stream() as unknown as Readable
}

export interface SubjectExport {
  pseudonyms: string[]
  /** Rows per table, counted before streaming (what the audit log records). */
  counts: Record<string, number>
  body: Readable
  contentType: string
}

export async function exportSubject(admin: AdminContext, actor: Actor, tenant: string, identifier: string, format: ExportFormat, tableName?: string): Promise<SubjectExport> {
  const { clickhouse, database } = admin
  const { pseudonyms } = await pseudonymsOf(admin, tenant, identifier.trim(), 'Exporting a data subject')
  const params = { tenant, needles: pseudonyms }
  let tables = await dataTables(clickhouse, database)
  if (format === 'csv') {
    const table = tables.find((t) => t.name === tableName)
    if (!table) throw new PrivacyOperationError(400, 'CALLMASK_ERR_BAD_REQUEST', `CSV holds one table: give "table", one of ${tables.map((t) => t.name).join(', ')}`)
    tables = [table]
  }
  const counts: Record<string, number> = {}
  for (const table of tables) counts[table.name] = await countRows(clickhouse, database, table.name, `tenant = {tenant:String} AND ${carriesAnyCondition(table)}`, params)
  await admin.audit.record({ keyId: actor.keyId, role: actor.role, tenant, operation: 'export-subject', target: pseudonyms.join(' '), result: 'ok', status: 200, details: { format, counts } })
  const body = new PassThrough()
  const write = (text: string) => (body.write(text) ? Promise.resolve() : new Promise<void>((resolve) => body.once('drain', () => resolve())))
  void (async () => {
    if (format === 'csv') {
      const stream = await streamTable(clickhouse, database, tables[0]!, 'CSVWithNames', params)
      for await (const rows of stream) for (const row of rows as { text: string }[]) await write(row.text + '\n')
      body.end()
      return
    }
    await write(`{"tenant":${JSON.stringify(tenant)},"exportedAt":${JSON.stringify(new Date().toISOString())},"pseudonyms":${JSON.stringify(pseudonyms)},"counts":${JSON.stringify(counts)},"tables":{`)
    let firstTable = true
    for (const table of tables) {
      await write(`${firstTable ? '' : ','}${JSON.stringify(table.name)}:[`)
      firstTable = false
      let first = true
      if (counts[table.name]) {
        const stream = await streamTable(clickhouse, database, table, 'JSONEachRow', params)
        for await (const rows of stream) {
          for (const row of rows as { text: string }[]) {
            await write((first ? '' : ',') + row.text)
            first = false
          }
        }
      }
      await write(']')
    }
    await write('}}\n')
    body.end()
  })().catch((error: Error) => {
    admin.log.error({ err: error.message }, 'a subject export failed while streaming')
    body.destroy(error)
  })
  return { pseudonyms, counts, body, contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json' }
}

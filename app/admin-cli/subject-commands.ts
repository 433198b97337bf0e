// `callmask erase-subject | export-subject | erase-tenant | audit`: the privacy officer's
// commands over the admin API. An identifier given as `-` is read from standard input, so it
// stays out of the shell history and the process list.
import { createWriteStream } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { CliError, expectOk, type AdminApi } from './admin-api-client.ts'
import type { CliCommand } from './cli-command.ts'
import { countsLine, nonZero, tenantArgument } from './cli-arguments.ts'

async function identifierFrom(arg: string | undefined, stdin: NodeJS.ReadableStream): Promise<string> {
  if (arg === undefined) throw new CliError('give the identifier to look for (a phone number, e-mail, user id or display name), or - to read it from standard input')
  if (arg !== '-') return arg
  let text = ''
  for await (const chunk of stdin) text += chunk.toString()
  const line = text.split('\n')[0]!.trim()
  if (!line) throw new CliError('standard input held no identifier')
  return line
}

const tenantPath = (tenant: string | undefined): string => `/v1/admin/tenants/${tenantArgument(tenant)}`

export const subjectCommands: CliCommand[] = [
  {
    name: 'erase-subject',
    usage: 'erase-subject <tenant> <identifier | ->',
    summary: "Erase a data subject's rows from every table (Art. 17), aggregates rebuilt without them",
    async run({ positionals, api, io }) {
      const path = tenantPath(positionals[0])
      const identifier = await identifierFrom(positionals[1], io.stdin)
      const report = await expectOk<{ pseudonyms: string[]; keyVersions: number[]; deleted: Record<string, number>; rebuiltGroups: Record<string, number>; lateRows: number; deadLetters: number }>(
        await api.request('POST', `${path}/subjects/erase`, { identifier }),
      )
      io.out(`Erased the data subject from tenant ${positionals[0]} (pseudonyms ${report.pseudonyms.join(', ')}; key versions ${report.keyVersions.join(', ')}).`)
      io.out(`  Rows deleted:        ${countsLine(report.deleted)}${report.lateRows ? ` (${report.lateRows} of them from a batch in flight)` : ''}`)
      io.out(`  Aggregates rebuilt:  ${countsLine(report.rebuiltGroups, 'group(s)')}`)
      io.out(`  Dead letters erased: ${report.deadLetters}`)
      io.out('  The audit log holds this erasure under the pseudonyms; data still in flight is dropped by the processors.')
      return 0
    },
  },
  {
    name: 'export-subject',
    usage: 'export-subject <tenant> <identifier | -> [--format json|csv] [--table <table>] [--out <file>]',
    summary: "Export a data subject's rows as stored (Art. 15/20): JSON, or CSV of one table",
    options: { format: { type: 'string', default: 'json' }, table: { type: 'string' }, out: { type: 'string' } },
    async run({ positionals, values, api, io }) {
      const path = tenantPath(positionals[0])
      const identifier = await identifierFrom(positionals[1], io.stdin)
      const format = values['format'] as string
      if (format !== 'json' && format !== 'csv') throw new CliError('--format is json or csv')
      // The API ignores a table for JSON (one document with every table): say so, not export all.
      if (values['table'] && format !== 'csv') throw new CliError('--table goes with --format csv (a JSON export holds every table)')
      const response = await api.request('POST', `${path}/subjects/export`, { identifier, format, ...(values['table'] ? { table: values['table'] } : {}) })
      if (!response.ok || !response.body) await expectOk(response)
      const counts = JSON.parse(response.headers.get('callmask-export-rows') ?? '{}') as Record<string, number>
      const out = values['out'] as string | undefined
      const target: NodeJS.WritableStream = out ? createWriteStream(out, { mode: 0o600 }) : io.stdout
      await pipeline(Readable.fromWeb(response.body as unknown as WebReadableStream), target, { end: Boolean(out) })
      if (out) io.out(`Wrote the export (${format}) to ${out}: ${countsLine(nonZero(counts), 'row(s)')}.`)
      return 0
    },
  },
  {
    name: 'erase-tenant',
    usage: 'erase-tenant <tenant> --yes',
    summary: "Erase a tenant: every row, its waiting frames and dead letters, its keys (crypto-shredded), its API keys",
    options: { yes: { type: 'boolean', default: false } },
    async run({ positionals, values, api, io }) {
      const path = tenantPath(positionals[0])
      if (!values['yes']) throw new CliError(`this deletes all data and keys of tenant ${positionals[0]} for good: add --yes to confirm`)
      const report = await expectOk<{ deleted: Record<string, number>; waitingFrames: number; deadLetters: number; destroyedKeyVersions: number[]; newKeyVersion: number; revokedApiKeys: number }>(
        await api.request('POST', `${path}/erase`, { confirm: positionals[0] }),
      )
      io.out(`Erased tenant ${positionals[0]}.`)
      io.out(`  Rows deleted:          ${countsLine(report.deleted)}`)
      io.out(`  Frames still waiting:  ${report.waitingFrames} purged; dead letters erased: ${report.deadLetters}`)
      io.out(`  Keys destroyed:        version(s) ${report.destroyedKeyVersions.join(', ') || 'none'}; data sent from now on gets version ${report.newKeyVersion}, unrelated to them`)
      io.out(`  API keys revoked:      ${report.revokedApiKeys}`)
      return 0
    },
  },
  {
    name: 'audit',
    usage: 'audit [--tenant <tenant>] [--key <key id>] [--operation <operation>] [--from <ISO time>] [--to <ISO time>] [--limit <n>] [--json]',
    summary: 'Show the audit log, newest first',
    options: { tenant: { type: 'string' }, key: { type: 'string' }, operation: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, limit: { type: 'string', default: '50' }, json: { type: 'boolean', default: false } },
    async run({ values, api, io }) {
      const query = new URLSearchParams()
      for (const name of ['tenant', 'key', 'operation', 'from', 'to', 'limit']) if (values[name]) query.set(name, values[name] as string)
      const { rows } = await expectOk<{ rows: { ts: string; key_id: string; role: string; tenant: string; operation: string; target: string; result: string; status: number; details: string }[] }>(
        await api.request('GET', `/v1/admin/audit?${query}`),
      )
      if (values['json']) {
        io.out(JSON.stringify(rows, null, 2))
        return 0
      }
      io.out(`${rows.length} audit record(s), newest first:`)
      for (const r of rows) io.out(`  ${r.ts}  ${r.key_id} (${r.role})  ${r.operation}  tenant=${r.tenant || '-'}  ${r.result} ${r.status}${r.target ? `  target=${r.target}` : ''}${r.details && r.details !== '{}' ? `  ${r.details}` : ''}`)
      return 0
    },
  },
]

export type { AdminApi }

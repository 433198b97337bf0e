// `callmask inventory | privacy-notice | leak-scan`: the Art. 30 record, the privacy notice
// and the leak scanner (README "Record of processing, privacy notice, leak scan").
import { createWriteStream } from 'node:fs'
import { CliError, expectOk, type AdminApi } from './admin-api-client.ts'
import type { CliCommand } from './cli-command.ts'
import { tenantArgument } from './cli-arguments.ts'

async function textOf(api: AdminApi, path: string): Promise<string> {
  const response = await api.request('GET', path)
  if (!response.ok) await expectOk(response)
  return response.text()
}

export const recordCommands: CliCommand[] = [
  {
    name: 'inventory',
    usage: 'inventory [--json]',
    summary: 'The record of processing (Art. 30): tables, column classes, retention, row counts, where keys and frames live',
    options: { json: { type: 'boolean', default: false } },
    async run({ values, api, io }) {
      io.out((await textOf(api, `/v1/admin/inventory?format=${values['json'] ? 'json' : 'text'}`)).trimEnd())
      return 0
    },
  },
  {
    name: 'privacy-notice',
    usage: 'privacy-notice [--format markdown|html] [--tenant <t>] [--out <file>]',
    summary: 'Write the privacy notice from the running configuration and policy',
    options: { format: { type: 'string', default: 'markdown' }, tenant: { type: 'string' }, out: { type: 'string' } },
    async run({ values, api, io }) {
      const format = values['format'] as string
      if (format !== 'markdown' && format !== 'html') throw new CliError('--format is markdown or html')
      const text = await textOf(api, `/v1/admin/privacy-notice?format=${format}${values['tenant'] ? `&tenant=${encodeURIComponent(values['tenant'] as string)}` : ''}`)
      const out = values['out'] as string | undefined
      if (!out) {
        io.out(text.trimEnd())
        return 0
      }
      await new Promise<void>((resolve, reject) => createWriteStream(out).on('error', reject).end(text, resolve))
      io.out(`Wrote the privacy notice (${format}) to ${out}.`)
      return 0
    },
  },
  {
    name: 'leak-scan',
    usage: 'leak-scan <tenant> [--rows <n>] [--json]',
    summary: 'Look for personal-looking values that are not pseudonyms in every string column; exits 3 when it finds some',
    options: { rows: { type: 'string' }, json: { type: 'boolean', default: false } },
    async run({ positionals, values, api, io }) {
      const tenant = tenantArgument(positionals[0])
      const result = await expectOk<{ rowsScanned: number; valuesScanned: number; findings: { table: string; column: string; detector: string; count: number; sample: string }[] }>(
        await api.request('POST', `/v1/admin/tenants/${tenant}/leak-scan${values['rows'] ? `?rows=${encodeURIComponent(values['rows'] as string)}` : ''}`),
      )
      if (values['json']) io.out(JSON.stringify(result, null, 2))
      else {
        io.out(`Scanned ${result.rowsScanned} row(s), ${result.valuesScanned} value(s) of tenant ${tenant}: ${result.findings.length === 0 ? 'nothing personal found outside pseudonyms.' : `${result.findings.length} finding(s):`}`)
        for (const f of result.findings) io.out(`  ${f.table}.${f.column}  ${f.detector}  ${f.count} value(s), e.g. ${f.sample}`)
      }
      return result.findings.length === 0 ? 0 : 3
    },
  },
]

// `callmask retention-show | retention-set`: a tenant's retention (README "Retention per tenant").
import { CliError, expectOk } from './admin-api-client.ts'
import type { CliCommand } from './cli-command.ts'
import { countsLine, nonZero, tenantArgument } from './cli-arguments.ts'

const days = (value: string | boolean | undefined, flag: string): number | null | undefined => {
  if (value === undefined) return undefined
  if (value === 'none') return null
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} is a whole number of days, or none (back to the policy or config value)`)
  return n
}

export const retentionCommands: CliCommand[] = [
  {
    name: 'retention-show',
    usage: 'retention-show <tenant> [--json]',
    summary: "A tenant's retention of raw rows and aggregates, and where each value comes from",
    options: { json: { type: 'boolean', default: false } },
    async run({ positionals, values, api, io }) {
      const tenant = tenantArgument(positionals[0])
      const retention = await expectOk<{ raw: { days: number; source: string }; aggregate: { days: number; source: string }; setAt?: string }>(await api.request('GET', `/v1/admin/tenants/${tenant}/retention`))
      if (values['json']) {
        io.out(JSON.stringify(retention, null, 2))
        return 0
      }
      io.out(`Tenant ${tenant} keeps raw rows ${retention.raw.days} days (${retention.raw.source}) and aggregates ${retention.aggregate.days} days (${retention.aggregate.source})${retention.setAt ? `; set at run time ${retention.setAt}` : ''}.`)
      return 0
    },
  },
  {
    name: 'retention-set',
    usage: 'retention-set <tenant> [--raw-days <n>|none] [--aggregate-days <n>|none]',
    summary: "Change a tenant's retention: new rows carry it, existing rows move at once, rows past it are deleted",
    options: { 'raw-days': { type: 'string' }, 'aggregate-days': { type: 'string' } },
    async run({ positionals, values, api, io }) {
      const tenant = tenantArgument(positionals[0])
      const body: Record<string, number | null> = {}
      const raw = days(values['raw-days'], '--raw-days')
      const aggregate = days(values['aggregate-days'], '--aggregate-days')
      if (raw !== undefined) body['rawDays'] = raw
      if (aggregate !== undefined) body['aggregateDays'] = aggregate
      if (Object.keys(body).length === 0) throw new CliError('give --raw-days, --aggregate-days or both')
      const result = await expectOk<{ moved: Record<string, number>; deleted: Record<string, number>; ms: number }>(await api.request('PUT', `/v1/admin/tenants/${tenant}/retention`, body))
      io.out(`Changed the retention of tenant ${tenant} in ${result.ms} ms.`)
      io.out(`  Rows moved to the new expiry: ${countsLine(nonZero(result.moved))}`)
      io.out(`  Rows deleted (past it):       ${countsLine(nonZero(result.deleted))}`)
      return 0
    },
  },
]

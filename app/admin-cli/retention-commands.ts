// `callmask retention-show | retention-set`: a tenant's retention (README "Retention per tenant").
import { CliError, expectOk } from './admin-api-client.ts'
import type { CliCommand } from './cli-command.ts'

const tenantOf = (value: string | undefined): string => {
  if (!value || !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(value)) throw new CliError('give the tenant')
  return value
}

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
    usage: 'retention-show <tenant>',
    summary: "A tenant's retention of raw rows and aggregates, and where each value comes from",
    async run({ positionals, api, io }) {
      const tenant = tenantOf(positionals[0])
      io.out(JSON.stringify(await expectOk(await api.request('GET', `/v1/admin/tenants/${tenant}/retention`)), null, 2))
      return 0
    },
  },
  {
    name: 'retention-set',
    usage: 'retention-set <tenant> [--raw-days <n>|none] [--aggregate-days <n>|none]',
    summary: "Change a tenant's retention: new rows carry it, existing rows move at once, rows past it are deleted",
    options: { 'raw-days': { type: 'string' }, 'aggregate-days': { type: 'string' } },
    async run({ positionals, values, api, io }) {
      const tenant = tenantOf(positionals[0])
      const body: Record<string, number | null> = {}
      const raw = days(values['raw-days'], '--raw-days')
      const aggregate = days(values['aggregate-days'], '--aggregate-days')
      if (raw !== undefined) body['rawDays'] = raw
      if (aggregate !== undefined) body['aggregateDays'] = aggregate
      if (Object.keys(body).length === 0) throw new CliError('give --raw-days, --aggregate-days or both')
      const result = await expectOk<{ moved: Record<string, number>; deleted: Record<string, number>; ms: number }>(await api.request('PUT', `/v1/admin/tenants/${tenant}/retention`, body))
      io.out(`Changed the retention of tenant ${tenant} in ${result.ms} ms.`)
      io.out(`  Rows moved to the new expiry: ${JSON.stringify(result.moved)}`)
      io.out(`  Rows deleted (past it):       ${JSON.stringify(result.deleted)}`)
      return 0
    },
  },
]

// `callmask duplicates <tenant> [--repair]`: frames the tenant's raw tables hold twice (two
// processors both wrote a message and the later one was killed before removing its copy),
// and their repair (README "Delivery guarantees"). Exits 3 when it finds some and does not repair.
import type { DuplicatesAnswer } from '../../api/duplicate-routes.ts'
import { expectOk } from './admin-api-client.ts'
import type { CliCommand } from './cli-command.ts'
import { tenantArgument } from './cli-arguments.ts'

export const duplicateCommands: CliCommand[] = [
  {
    name: 'duplicates',
    usage: 'duplicates <tenant> [--repair] [--json]',
    summary: 'Find frames stored twice (a processor killed during its own repair); --repair removes the later copies and rebuilds the aggregates; exits 3 when some are found and not repaired',
    options: { repair: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
    async run({ positionals, values, api, io }) {
      const tenant = tenantArgument(positionals[0])
      const answer = await expectOk<DuplicatesAnswer>(
        values['repair'] ? await api.request('POST', `/v1/admin/tenants/${tenant}/duplicates/repair`) : await api.request('GET', `/v1/admin/tenants/${tenant}/duplicates`),
      )
      if (values['json']) {
        io.out(JSON.stringify(answer, null, 2))
      } else if (answer.tables.length === 0) {
        io.out(`Tenant ${tenant}: no frame is stored twice.`)
      } else {
        io.out(`Tenant ${tenant}: ${answer.repaired ? 'removed the later copies of frames stored twice, aggregates rebuilt' : 'frames stored twice (run with --repair to remove the later copies)'}:`)
        for (const t of answer.tables) io.out(`  ${t.table}  ${t.frames} frame(s), ${t.laterCopies} later cop${t.laterCopies === 1 ? 'y' : 'ies'}`)
      }
      return answer.tables.length > 0 && !answer.repaired ? 3 : 0
    },
  },
]

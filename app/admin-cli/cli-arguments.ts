// What several commands of `callmask <command>` check and print the same way.
import { CliError } from './admin-api-client.ts'
import { isTenantName } from '../../lib/tenant-name.ts'

/** The tenant argument, checked before any request: missing and malformed get one sentence. */
export function tenantArgument(value: string | undefined): string {
  if (!value) throw new CliError('give the tenant (lower-case letters, digits, - and _)')
  if (!isTenantName(value)) throw new CliError(`${JSON.stringify(value)} is not a tenant name: use lower-case letters, digits, - and _ (at most 63, starting with a letter or digit)`)
  return value
}

/** `table n, table n unit`, or `none` (not "none group(s)") when nothing was counted. */
export function countsLine(counts: Record<string, number>, unit = ''): string {
  const entries = Object.entries(counts)
  return entries.length === 0 ? 'none' : entries.map(([t, n]) => `${t} ${n}`).join(', ') + (unit ? ` ${unit}` : '')
}

/** Only the tables with rows: a report over every table reads as a list of zeros otherwise. */
export const nonZero = (counts: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0))

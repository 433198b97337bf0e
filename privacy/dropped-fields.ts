// What the running policy drops at ingest, for the inventory and the privacy notice: the
// fields it names with `drop`, the report types it drops whole (their id is dropped), and
// the allow-list rule that drops every field and report type it does not name.
import type { FieldAction } from '../schemas/policy-schema.ts'
import type { CompiledPolicy } from '../policy/load-policy.ts'

export interface DroppedFields {
  rule: string
  /** `call.x`, `event.x` or `<report type>.x` named with `drop`. */
  fields: string[]
  /** Report types dropped whole. */
  reportTypes: string[]
}

export const allowListRule = 'Only the fields the policy names are kept: every other field of a frame, and every report type the policy does not name, is dropped before anything is stored.'

export function droppedAtIngest(policy: CompiledPolicy): DroppedFields {
  const fields: string[] = []
  const reportTypes: string[] = []
  const named = (prefix: string, rules: ReadonlyMap<string, FieldAction>) => {
    for (const [field, action] of rules) if (action === 'drop') fields.push(`${prefix}.${field}`)
  }
  named('call', policy.call)
  named('event', policy.event)
  for (const type of policy.reportTypes) {
    const rules = policy.reportRules(type)
    if (!rules) continue
    if (rules.get('id') === 'drop') reportTypes.push(type)
    else named(type, rules)
  }
  return { rule: allowListRule, fields, reportTypes }
}

/** Every field the policy names, by where it appears, with its action (for the notice's field list). */
export function policyFields(policy: CompiledPolicy): { where: string; rules: [field: string, action: FieldAction][] }[] {
  const out = [
    { where: 'call', rules: [...policy.call] },
    { where: 'event', rules: [...policy.event] },
  ]
  for (const type of policy.reportTypes) {
    const rules = policy.reportRules(type)
    if (rules && rules.get('id') !== 'drop') out.push({ where: type, rules: [...rules] })
  }
  return out
}

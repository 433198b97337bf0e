// Applies the compiled policy to one frame: what comes out holds only the fields the
// policy names, each kept, pseudonymised, scanned for personal spans, or IP-truncated.
// Everything downstream (the mapper, ClickHouse) sees only this minimised frame. What it
// drops because the policy does not name it (report types, fields) is reported to a
// counter by report type name, never by value: browsers add fields every release.
import type { CallContext, EventFrame, StatsFrame, StatsReport } from '../schemas/frames.ts'
import type { FieldAction } from '../schemas/policy-schema.ts'
import type { FieldTransformer } from './field-transformer.ts'
import type { CompiledPolicy } from './load-policy.ts'

type Fields = Record<string, unknown>

/** Told what the allow-list dropped; `reportType` is the raw type: label it from a bounded vocabulary. */
export interface DroppedCounter {
  unknownReport(reportType: string): void
  unknownFields(where: string, count: number): void
}
const nothingCounted: DroppedCounter = { unknownReport: () => undefined, unknownFields: () => undefined }

/** Which pseudonym type a field's whole value gets when the value is not itself a phone or e-mail. */
const pseudonymTypeOf = (field: string) => (field === 'displayName' ? 'name' : 'id')

function applyRules(input: Fields, rules: ReadonlyMap<string, FieldAction>, transform: FieldTransformer, out: Fields, unknown = { count: 0 }): Fields {
  for (const field in input) {
    const action = rules.get(field)
    if (action === undefined) {
      unknown.count += 1
      continue
    }
    if (action === 'drop') continue
    const value = input[field]
    if (action === 'keep' || typeof value !== 'string') {
      // Non-string values under pseudonymise/detect are numbers or flags: nothing to find.
      if (action === 'keep' || typeof value === 'number' || typeof value === 'boolean') out[field] = value
      continue
    }
    if (action === 'detect') out[field] = transform.scrub(value)
    else if (action === 'pseudonymise') out[field] = transform.pseudonymise(value, pseudonymTypeOf(field))
    else out[field] = transform.truncateIps(value)
  }
  return out
}

export function applyPolicyToCall(call: CallContext, policy: CompiledPolicy, transform: FieldTransformer, counter: DroppedCounter = nothingCounted): CallContext {
  const unknown = { count: 0 }
  const out = applyRules(call, policy.call, transform, {}, unknown) as CallContext
  if (unknown.count > 0) counter.unknownFields('call', unknown.count)
  return out
}

function applyPolicyToReports(input: readonly StatsReport[], frameTs: number, policy: CompiledPolicy, transform: FieldTransformer, counter: DroppedCounter): StatsReport[] {
  const reports: StatsReport[] = []
  for (const report of input) {
    const rules = policy.reportRules(report.type)
    if (!rules) {
      counter.unknownReport(report.type)
      continue
    }
    // A type whose id is dropped is dropped whole (certificates by default).
    if (rules.get('id') === 'drop') continue
    const unknown = { count: 0 }
    const out = applyRules(report, rules, transform, {}, unknown)
    if (unknown.count > 0) counter.unknownFields(report.type, unknown.count)
    out['type'] = report.type
    if (typeof out['id'] !== 'string') out['id'] = ''
    if (typeof out['timestamp'] !== 'number') out['timestamp'] = frameTs
    reports.push(out as StatsReport)
  }
  return reports
}

export function applyPolicyToStats(frame: StatsFrame, policy: CompiledPolicy, transform: FieldTransformer, counter: DroppedCounter = nothingCounted): StatsFrame {
  const out: StatsFrame = {
    type: 'stats',
    seq: frame.seq,
    ts: frame.ts,
    call: applyPolicyToCall(frame.call, policy, transform, counter),
    reports: applyPolicyToReports(frame.reports, frame.ts, policy, transform, counter),
  }
  // The previous snapshot's ids go through the same rules, so they match the reports' ids.
  if (frame.previous) out.previous = applyPolicyToReports(frame.previous, frame.ts, policy, transform, nothingCounted)
  return out
}

export function applyPolicyToEvent(frame: EventFrame, policy: CompiledPolicy, transform: FieldTransformer, counter: DroppedCounter = nothingCounted): EventFrame {
  const rest = applyRules({ name: frame.name, value: frame.value }, policy.event, transform, {})
  const event: EventFrame = { type: 'event', seq: frame.seq, ts: frame.ts, call: applyPolicyToCall(frame.call, policy, transform, counter), name: frame.name }
  if (rest['value'] !== undefined) event.value = rest['value'] as string | number
  return event
}

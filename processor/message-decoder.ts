// Turns one JetStream message into rows: read the envelope headers, decode the client's frame
// (ingest checked only its envelope), validate it in full (the stream may also hold what
// another publisher put there), check its time, apply the pseudonymisation policy, make the
// strings that are left well-formed, map to rows. Permanent problems are raised as
// PermanentProcessingError: such a message goes to the dead-letter stream.
import type { JsMsg } from '@nats-io/jetstream'
import { PermanentProcessingError } from '../lib/errors.ts'
import { frameTimeProblem, readEnvelope } from '../lib/frame-envelope.ts'
import { repairStrings } from '../lib/well-formed-strings.ts'
import { decodeFrame } from '../lib/wire-codec.ts'
import { validateClientFrame } from '../schemas/frame-validator.ts'
import { applyPolicyToEvent, applyPolicyToStats, type DroppedCounter } from '../policy/apply-policy.ts'
import { createFieldTransformerFactory, withScanBudget } from '../policy/field-transformer.ts'
import type { CompiledPolicy } from '../policy/load-policy.ts'
import type { Pseudonymiser } from '../keyring/pseudonymiser.ts'
import type { TenantSettingsReader } from '../lib/tenant-settings.ts'
import { defaultAggregateRetentionDays, mapEventFrame, mapStatsFrame, type FrameRows, type FrameSource } from './report-mapper.ts'

export interface DecodedMessage {
  source: FrameSource
  rows: FrameRows
}

/** Characters of one frame scanned for personal spans; the rest is pseudonymised whole. */
const scanBudgetChars = 16_384

export interface MessageDecoderDeps {
  pseudonymiser: Pseudonymiser
  policy: CompiledPolicy
  retentionDays: number
  /** @default 395 */
  aggregateRetentionDays?: number | undefined
  /** Retention set at run time by the admin API; it wins over the policy file and the config. */
  tenantSettings?: TenantSettingsReader | undefined
  /** Counts strings whose lone surrogates were replaced by U+FFFD. */
  onRepairedStrings?: (count: number) => void
  /** Counts what the policy's allow-list dropped (report types, fields it does not name). */
  dropped?: DroppedCounter
}

export function createMessageDecoder(deps: MessageDecoderDeps) {
  const transformerFor = createFieldTransformerFactory()
  return async function decodeMessage(msg: Pick<JsMsg, 'headers' | 'data'>): Promise<DecodedMessage> {
    const envelope = readEnvelope(msg.headers)
    if (!envelope) throw new PermanentProcessingError('message lacks the Callmask envelope headers')
    const { tenant, sessionId, seq, receivedAt, encoding } = envelope
    let decoded: unknown
    try {
      decoded = decodeFrame(msg.data, encoding)
    } catch (error) {
      throw new PermanentProcessingError('payload cannot be decoded', { cause: error })
    }
    const result = validateClientFrame(decoded)
    if (!result.ok) throw new PermanentProcessingError(`payload violates the schema: ${result.message}`)
    const frame = result.frame
    if (frame.type === 'hello') throw new PermanentProcessingError('a hello frame is not data')
    const timeProblem = frameTimeProblem(frame.ts, receivedAt)
    if (timeProblem) throw new PermanentProcessingError(timeProblem)
    const pseudonymiser = await deps.pseudonymiser.forTenant(tenant)
    const transform = withScanBudget(transformerFor(pseudonymiser, deps.policy.detectOptions(tenant)), scanBudgetChars)
    // The SDK chooses the session id, and an app could make it personal: it is stored as its
    // keyed pseudonym, whole and exactly (no normalising), so two session ids never share one
    // stored id (`anna-schmidt-08` and `Anna-Schmidt-08` scrubbed alike, and the second
    // session's frames were taken for redeliveries of the first). Deterministic, so
    // redelivery look-ups find the stored rows.
    const storedSessionId = pseudonymiser.pseudonym('session', sessionId)
    // Precedence: run-time setting, then the policy file, then the config default.
    const runtime = (await deps.tenantSettings?.retention(tenant)) ?? {}
    const source: FrameSource = {
      tenant,
      sessionId: storedSessionId,
      seq,
      retentionDays: runtime.rawDays ?? deps.policy.retentionDays(tenant) ?? deps.retentionDays,
      aggregateRetentionDays: runtime.aggregateDays ?? deps.policy.aggregateRetentionDays(tenant) ?? deps.aggregateRetentionDays ?? defaultAggregateRetentionDays,
    }
    const minimised = frame.type === 'stats' ? applyPolicyToStats(frame, deps.policy, transform, deps.dropped) : applyPolicyToEvent(frame, deps.policy, transform, deps.dropped)
    // A lone surrogate would make ClickHouse refuse the whole batch. Repaired in what the policy
    // kept (a quarter of the frame's strings; keys it does not name are dropped anyway): a
    // pseudonym is the same either way, since the keyed hash reads a lone surrogate as U+FFFD.
    let repairedFrame: ReturnType<typeof repairStrings<typeof minimised>>
    try {
      repairedFrame = repairStrings(minimised)
    } catch (error) {
      throw new PermanentProcessingError('payload nests too deep', { cause: error })
    }
    const { value: wellFormed, repaired } = repairedFrame
    if (repaired > 0) deps.onRepairedStrings?.(repaired)
    const rows = wellFormed.type === 'stats' ? mapStatsFrame(wellFormed, source) : mapEventFrame(wellFormed, source)
    return { source, rows }
  }
}

// Messages that can never be processed are republished, unchanged, to callmask.dlq.<tenant>
// with the reason in a header, and acknowledged only after the dead-letter stream stored them.
import { jetstream, type JsMsg } from '@nats-io/jetstream'
import { headers, type NatsConnection } from '@nats-io/nats-core'
import { deadLetterSubject } from '../lib/jetstream-streams.ts'
import { tenantOf } from '../lib/frame-envelope.ts'

export const deadLetterReasonHeader = 'Callmask-Dead-Letter-Reason'

export function createDeadLetterPublisher(nc: NatsConnection) {
  const js = jetstream(nc)
  return {
    async publish(msg: JsMsg, reason: string): Promise<void> {
      const h = headers()
      for (const [name, values] of msg.headers ?? []) for (const value of values) h.append(name, value)
      h.set(deadLetterReasonHeader, reason)
      h.set('Callmask-Original-Stream-Seq', String(msg.seq))
      const tenant = deadLetterTenantLabel(msg)
      await js.publish(deadLetterSubject(tenant), msg.data, { headers: h, msgID: `dlq:${msg.info.stream}:${msg.seq}` })
    },
  }
}

/** The tenant a message claims, made a safe subject token and label ('unknown' without one). */
export const deadLetterTenantLabel = (msg: Pick<JsMsg, 'headers'>): string => (tenantOf(msg.headers) || 'unknown').replace(/[^a-z0-9_-]/g, '_').slice(0, 63)

/** A bounded vocabulary for the metric: reasons themselves quote field names a client chose. */
export function deadLetterReasonLabel(reason: string): string {
  if (reason.startsWith('payload violates the schema')) return 'schema'
  if (reason.startsWith('payload cannot be decoded') || reason.startsWith('payload nests')) return 'undecodable'
  if (reason.startsWith('message lacks')) return 'envelope'
  if (reason.startsWith('/ts ')) return 'time'
  return 'other'
}

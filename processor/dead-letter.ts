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
      const tenant = (tenantOf(msg.headers) || 'unknown').replace(/[^a-z0-9_-]/g, '_')
      await js.publish(deadLetterSubject(tenant), msg.data, { headers: h, msgID: `dlq:${msg.info.stream}:${msg.seq}` })
    },
  }
}

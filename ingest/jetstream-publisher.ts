// Publishes to JetStream and resolves with the PubAck. Instead of js.publish (one request
// each, ~4k/s awaited, 11-20k/s pipelined) it uses one wildcard inbox subscription that
// collects every PubAck: measured here: 35-53k msg/s of 1 KB this way.
// Publishes are also held until the end of the event-loop turn: nats.js writes its buffer
// to the socket after every callback, and uWS calls us once per frame, so publishing at
// once meant one socket write per frame (the ingest benchmark measured 5 to 1 fewer writes
// and about 25% more frames/s with the hand-over deferred).
// Deadlines are swept by one timer instead of a timer per publish (measured: 35 -> 30 us of
// CPU and 13k -> 26k frames/s); a PubAck may thus time out up to a tenth of its timeout late.
import { createInbox, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core'

export interface PubAck {
  stream: string
  seq: number
  duplicate: boolean
}

export class PublishError extends Error {
  override name = 'PublishError'
  constructor(
    message: string,
    /** True when trying again later may work (no server, timeout, stream busy). */
    readonly retryable: boolean,
    /** The stream is at its size bound (CALLMASK_STREAM_MAX_MB): the processors are behind. */
    readonly backlogFull = false,
  ) {
    super(message)
  }
}

export interface JetStreamPublisher {
  /** `headers` must include `Nats-Msg-Id`: JetStream drops a second message with the same id. */
  publish(subject: string, data: Uint8Array, headers: Record<string, string>): Promise<PubAck>
  readonly inFlight: number
  /** False while the NATS connection is down (publishes are refused as retryable). */
  readonly connected: boolean
  close(): void
}

interface Pending {
  resolve(ack: PubAck): void
  reject(error: PublishError): void
  /** performance.now() after which it times out; pending entries are in deadline order. */
  deadline: number
}

const utf8 = new TextDecoder()
const utf8Encoder = new TextEncoder()

/**
 * The message's header block as nats.js would write it (`NATS/1.0`, one `Name: value` line
 * each, a blank line). nats.js's publish reads only `encode()` of its headers; building the
 * block here skips its header object, whose per-field checks and map cost about 1 us of
 * ingest's ~30 us per frame. Names are ours; a value with CR or LF would end the block early.
 */
function headerBlock(fields: Record<string, string>): MsgHdrs {
  let text = 'NATS/1.0\r\n'
  for (const name in fields) {
    const value = fields[name]!
    if (/[\r\n]/.test(value)) throw new PublishError(`header ${name} holds a line break`, false)
    text += `${name}: ${value}\r\n`
  }
  return new HeaderBlock(utf8Encoder.encode(text + '\r\n')) as unknown as MsgHdrs
}

// A class, not an object literal with an arrow: tsx names every arrow it creates (a call per message).
class HeaderBlock {
  constructor(private readonly bytes: Uint8Array) {}
  encode(): Uint8Array {
    return this.bytes
  }
}

export function createJetStreamPublisher(nc: NatsConnection, options: { timeoutMs: number; inboxPrefix?: string }): JetStreamPublisher {
  // Under the connection's own inbox prefix: ingest's NATS user may subscribe to nothing else.
  const prefix = createInbox(options.inboxPrefix)
  const pending = new Map<string, Pending>()
  let counter = 0
  let sweeper: NodeJS.Timeout | undefined
  // Every publish has the same timeout, so the Map's insertion order is deadline order.
  function sweep(): void {
    const now = performance.now()
    for (const [token, entry] of pending) {
      if (entry.deadline > now) break
      pending.delete(token)
      entry.reject(new PublishError(`no PubAck within ${options.timeoutMs} ms`, true))
    }
    if (pending.size === 0) {
      clearInterval(sweeper)
      sweeper = undefined
    }
  }
  // While NATS is unreachable the client would buffer every publish until it reconnects;
  // with clients resending every few seconds that grows without bound, so refuse at once.
  let connected = true
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') connected = false
      else if (status.type === 'reconnect') connected = true
    }
  })()

  const subscription = nc.subscribe(`${prefix}.*`, {
    callback: (error, msg) => {
      if (error) return
      const token = msg.subject.slice(prefix.length + 1)
      const entry = pending.get(token)
      if (!entry) return // answered after its timeout: the client resends, the msg id dedupes
      pending.delete(token)
      settle(entry, msg)
    },
  })

  function settle(entry: Pending, msg: Msg): void {
    if (msg.headers?.hasError || msg.data.length === 0) {
      // 503 "no responders": no stream listens on the subject (JetStream down or not set up).
      const code = msg.headers?.code ?? 503
      entry.reject(new PublishError(`JetStream did not accept the message (${code})`, code >= 500 || code === 408))
      return
    }
    const reply = JSON.parse(utf8.decode(msg.data)) as Partial<PubAck> & {
      error?: { code?: number; description?: string }
    }
    if (reply.error) {
      const code = reply.error.code ?? 500
      const full = /maximum (bytes|messages) exceeded/.test(reply.error.description ?? '')
      entry.reject(new PublishError(`JetStream error ${code}: ${reply.error.description ?? ''}`, code >= 500 || full, full))
      return
    }
    entry.resolve({ stream: reply.stream ?? '', seq: reply.seq ?? 0, duplicate: reply.duplicate === true })
  }

  let queued: { subject: string; data: Uint8Array; reply: string; headers: MsgHdrs; token: string }[] = []
  function publishQueued(): void {
    const batch = queued
    queued = []
    for (const item of batch) {
      try {
        nc.publish(item.subject, item.data, { reply: item.reply, headers: item.headers })
      } catch (error) {
        const entry = pending.get(item.token)
        if (!entry) continue
        pending.delete(item.token)
        entry.reject(new PublishError(`NATS publish failed: ${(error as Error).message}`, true))
      }
    }
  }

  return {
    publish(subject, data, fields) {
      if (!connected) return Promise.reject(new PublishError('NATS is disconnected', true))
      let block: MsgHdrs
      try {
        block = headerBlock(fields)
      } catch (error) {
        return Promise.reject(error)
      }
      return new Promise<PubAck>((resolve, reject) => {
        const token = (++counter).toString(36)
        pending.set(token, { resolve, reject, deadline: performance.now() + options.timeoutMs })
        sweeper ??= setInterval(sweep, Math.max(10, options.timeoutMs / 10))
        if (queued.length === 0) setImmediate(publishQueued)
        queued.push({ subject, data, reply: `${prefix}.${token}`, headers: block, token })
      })
    },
    get inFlight() {
      return pending.size
    },
    get connected() {
      return connected
    },
    close() {
      subscription.unsubscribe()
      clearInterval(sweeper)
      sweeper = undefined
      for (const entry of pending.values()) {
        entry.reject(new PublishError('publisher closed', true))
      }
      pending.clear()
    },
  }
}

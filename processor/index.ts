// Processor: a durable pull consumer shared by every processor instance. Per message:
// decode -> validate -> pseudonymise the call context -> map reports to rows -> batch
// into ClickHouse -> ack. A message that can never be processed goes to the dead-letter
// stream with its reason; it is never silently dropped.
import type { ClickHouseClient } from '@clickhouse/client'
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/nats-core'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { Config } from '../lib/config.ts'
import { PermanentProcessingError } from '../lib/errors.ts'
import { ensureStreams, framesStream, processorConsumer } from '../lib/jetstream-streams.ts'
import { envelopeHeaders } from '../ingest/session-handler.ts'
import { decodeFrame, type Encoding } from '../ingest/wire-codec.ts'
import { validateClientFrame } from '../schemas/frame-validator.ts'
import { createBatchWriter, type BatchWriterOptions } from './batch-writer.ts'
import { createClickHouseSink } from './clickhouse-sink.ts'
import { createDeadLetterPublisher } from './dead-letter.ts'
import { createProcessorMetrics } from './processor-metrics.ts'
import { mapEventFrame, mapStatsFrame, type FrameRows, type FrameSource } from './report-mapper.ts'
import { applyPolicyToEvent, applyPolicyToStats } from './policy/apply-policy.ts'
import { createFieldTransformerFactory } from './policy/field-transformer.ts'
import type { CompiledPolicy } from './policy/load-policy.ts'
import type { Pseudonymiser } from './pseudonymiser.ts'

export interface ProcessorDeps {
  nc: NatsConnection
  clickhouse: ClickHouseClient
  pseudonymiser: Pseudonymiser
  policy: CompiledPolicy
  log: Logger
  registry: Registry
  /** Test hook, see BatchWriterOptions.beforeAck. */
  beforeAck?: BatchWriterOptions['beforeAck']
}

type ProcessorConfig = Pick<Config, 'clickhouseDatabase' | 'batchMaxRows' | 'batchMaxMs' | 'retentionDays' | 'duplicateWindowS' | 'streamMaxAgeH'> & {
  /** Seconds JetStream waits for an ack before redelivering. @default 60 */
  ackWaitS?: number
}

export interface ProcessorStats {
  messages: number
  rows: number
  inserted: number
  deadLettered: number
  /** Messages JetStream delivered more than once (after a crash or an ack timeout). */
  redelivered: number
}

export interface Processor {
  readonly stats: ProcessorStats
  /** Graceful: stop fetching, flush, ack, stop. */
  close(): Promise<void>
  /** Stops consuming at once without flushing or acking (what a crash leaves behind). */
  abandon(): Promise<void>
}

export async function startProcessor(config: ProcessorConfig, deps: ProcessorDeps): Promise<Processor> {
  const log = deps.log.child({ module: 'processor' })
  await ensureStreams(deps.nc, { duplicateWindowS: config.duplicateWindowS, maxAgeH: config.streamMaxAgeH })
  const jsm = await jetstreamManager(deps.nc)
  const consumerConfig = {
    durable_name: processorConsumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: (config.ackWaitS ?? 60) * 1_000_000_000,
    max_ack_pending: Math.max(config.batchMaxRows * 4, 20_000),
    max_deliver: -1,
  }
  try {
    await jsm.consumers.info(framesStream, processorConsumer)
    await jsm.consumers.update(framesStream, processorConsumer, consumerConfig)
  } catch {
    await jsm.consumers.add(framesStream, consumerConfig)
  }
  const consumer = await jetstream(deps.nc).consumers.get(framesStream, processorConsumer)
  const stats: ProcessorStats = { messages: 0, rows: 0, inserted: 0, deadLettered: 0, redelivered: 0 }
  const deadLetters = createDeadLetterPublisher(deps.nc)
  const transformerFor = createFieldTransformerFactory()
  const metrics = createProcessorMetrics(deps.registry)
  // Long runs show progress: a line every 10 s while data flows.
  let reported = 0
  const progress = setInterval(() => {
    if (stats.messages === reported) return
    reported = stats.messages
    log.info(stats, 'stored in ClickHouse so far')
    void consumer.info().then((info) => metrics.lag.set(info.num_pending), () => undefined)
  }, 10_000)
  progress.unref()
  const writer = createBatchWriter(createClickHouseSink(deps.clickhouse, config.clickhouseDatabase), log, {
    maxRows: config.batchMaxRows,
    maxMs: config.batchMaxMs,
    beforeAck: deps.beforeAck,
    onFlushed: (batch) => {
      stats.messages += batch.messages
      stats.rows += batch.rows
      stats.inserted += batch.inserted
      metrics.messages.inc(batch.messages)
      metrics.rows.inc(batch.inserted)
      metrics.batchRows.observe(batch.rows)
      metrics.flushSeconds.observe(batch.ms / 1000)
      log.debug(batch, 'batch stored')
    },
  })

  async function toRows(msg: JsMsg): Promise<{ source: FrameSource; rows: FrameRows }> {
    const h = msg.headers
    const tenant = h?.get(envelopeHeaders.tenant) ?? ''
    const sessionId = h?.get(envelopeHeaders.session) ?? ''
    const seq = Number(h?.get(envelopeHeaders.seq))
    const encoding = h?.get(envelopeHeaders.encoding) as Encoding
    if (!tenant || !sessionId || !Number.isSafeInteger(seq) || (encoding !== 'json' && encoding !== 'msgpack')) {
      throw new PermanentProcessingError('message lacks the Callmask-* envelope headers')
    }
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
    const source: FrameSource = { tenant, sessionId, seq, retentionDays: config.retentionDays }
    const transform = transformerFor(await deps.pseudonymiser.forTenant(tenant), deps.policy.detectOptions(tenant))
    const rows =
      frame.type === 'stats'
        ? mapStatsFrame(applyPolicyToStats(frame, deps.policy, transform), source)
        : mapEventFrame(applyPolicyToEvent(frame, deps.policy, transform), source)
    return { source, rows }
  }

  let messages: ConsumerMessages | undefined
  let stopping = false
  let abandoned = false
  const loop = (async () => {
    messages = await consumer.consume({ max_messages: Math.min(config.batchMaxRows, 5000) })
    for await (const msg of messages) {
      if (msg.redelivered) {
        stats.redelivered += 1
        metrics.redelivered.inc()
      }
      let mapped: { source: FrameSource; rows: FrameRows }
      try {
        mapped = await toRows(msg)
      } catch (error) {
        if (!(error instanceof PermanentProcessingError)) {
          // e.g. the keyring is unreachable: try again later, keep custody.
          log.warn({ err: (error as Error).message }, 'message could not be processed now; redelivering later')
          msg.nak(5000)
          continue
        }
        await deadLetters.publish(msg, error.message)
        stats.deadLettered += 1
        metrics.deadLettered.inc()
        log.warn({ reason: error.message, streamSeq: msg.seq }, 'message sent to the dead-letter stream')
        msg.ack()
        continue
      }
      await writer.add({
        source: { tenant: mapped.source.tenant, sessionId: mapped.source.sessionId, seq: mapped.source.seq },
        rows: mapped.rows,
        ack: () => msg.ack(),
        working: () => msg.working(),
      })
      if (stopping) break
    }
  })().catch((error: unknown) => {
    if (!stopping) log.error({ err: (error as Error).message }, 'processor consume loop failed')
  })

  return {
    stats,
    async close() {
      clearInterval(progress)
      if (abandoned) return
      stopping = true
      // close() resolves only once the iterator reaches it; the loop ends on its own.
      void messages?.close()
      await loop
      await writer.close()
      log.info(stats, 'processor stopped')
    },
    async abandon() {
      clearInterval(progress)
      stopping = true
      abandoned = true
      void messages?.close()
      writer.discard()
    },
  }
}

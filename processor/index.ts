// Processor: a durable pull consumer shared by every processor instance. Per message:
// decode -> validate -> apply the pseudonymisation policy -> map to rows -> batch into
// ClickHouse -> ack. A message that can never be processed goes to the dead-letter
// stream with its reason; it is never silently dropped. The consume loop runs under a
// supervisor: if it fails it is restarted with backoff, and readiness says so meanwhile.
import type { ClickHouseClient } from '@clickhouse/client'
import { jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/nats-core'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { Config } from '../lib/config.ts'
import { CallmaskError, PermanentProcessingError } from '../lib/errors.ts'
import {
  ensureProcessorConsumer,
  ensureStreams,
  framesStream,
  maxAckPendingFor,
  processorConsumer,
  type ConsumerOptions,
  type StreamOptions,
} from '../lib/jetstream-streams.ts'
import { isPermissionViolation } from '../lib/nats-connection.ts'
import { createBatchWriter, type BatchWriterOptions } from './batch-writer.ts'
import { reportTypeLabel } from '../schemas/frames.ts'
import { classifyInsertError } from '../storage/clickhouse-errors.ts'
import { layoutOf } from '../storage/clickhouse-layout.ts'
import { createClickHouseSink } from '../storage/clickhouse-sink.ts'
import { createErasureList } from '../storage/erasure-list.ts'
import { createErasureFilter } from './erasure-filter.ts'
import { createDeadLetterPublisher, deadLetterReasonLabel, deadLetterTenantLabel } from './dead-letter.ts'
import { createIssuePublisher } from './issue-publisher.ts'
import { createLiveIssueDetector } from './quality/live-issues.ts'
import { createMessageDecoder } from './message-decoder.ts'
import type { CompiledPolicy } from '../policy/load-policy.ts'
import { TenantKeyMissingError } from '../keyring/keyring-errors.ts'
import { createProcessorMetrics } from './processor-metrics.ts'
import { startStreamJanitor } from './stream-janitor.ts'
import type { Pseudonymiser } from '../keyring/pseudonymiser.ts'
import { createTenantSettingsReader } from '../lib/tenant-settings.ts'

export interface ProcessorDeps {
  nc: NatsConnection
  clickhouse: ClickHouseClient
  pseudonymiser: Pseudonymiser
  policy: CompiledPolicy
  log: Logger
  registry: Registry
  /** Test hook, see BatchWriterOptions.beforeAck. */
  beforeAck?: BatchWriterOptions['beforeAck']
  /** Creates or repairs the streams and the consumer as a user allowed to (admin); unset: with `nc`. */
  setUpJetStream?: (options: JetStreamSetUp) => Promise<void>
}

export interface JetStreamSetUp {
  streams: StreamOptions
  consumer: ConsumerOptions
}

type ProcessorConfig = Pick<Config, 'clickhouseDatabase' | 'batchMaxRows' | 'batchMaxMs' | 'retentionDays' | 'duplicateWindowS' | 'streamMaxAgeH' | 'streamMaxMb' | 'streamReplicas'> & {
  /** A ClickHouse cluster's name: inserts wait for every replica (the duplicate check must see the other processor's insert). */
  clickhouseCluster?: string | undefined
  /** Several shards behind Distributed tables (clickhouse-layout.ts). */
  clickhouseSharded?: boolean | undefined
  /** How often the erasure list is read. @default 2000 */
  erasureRefreshMs?: number | undefined
  /** @default 395 */
  aggregateRetentionDays?: number | undefined
  /** A message held longer than this makes the processor unready. @default 120 */
  stuckAfterS?: number | undefined
  /** Seconds JetStream waits for an ack before redelivering. @default 30 */
  ackWaitS?: number | undefined
  /** How old a tenant's run-time retention may be when a row gets it. @default 2000 */
  tenantSettingsRefreshMs?: number | undefined
}

export interface Backlog {
  /** Stored in JetStream, not yet delivered to any processor. */
  waiting: number
  /** Delivered to a processor that has not acked them (one that crashed, or is still working): redelivered after the ack wait. */
  unacked: number
  ackWaitS: number
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
  /** True while the consume loop runs. */
  readonly consuming: boolean
  /** Readiness: consuming, and no message held longer than `stuckAfterS` (a stuck writer). */
  readonly ready: boolean
  /** Graceful: stop fetching, flush, ack, stop. */
  close(): Promise<void>
  /** What JetStream still holds for processors; undefined when NATS cannot tell. */
  backlog(): Promise<Backlog | undefined>
  /** Stops consuming at once without flushing or acking (what a crash leaves behind). */
  abandon(): Promise<void>
}

/** Deliveries after which a message failing for a transient reason is dead-lettered anyway. */
const maxTransientDeliveries = 20

export async function startProcessor(config: ProcessorConfig, deps: ProcessorDeps): Promise<Processor> {
  const log = deps.log.child({ module: 'processor' })
  const ackWaitS = config.ackWaitS ?? 30
  const jsm = await jetstreamManager(deps.nc, { checkAPI: false })
  const setUpOptions = {
    streams: { duplicateWindowS: config.duplicateWindowS, maxAgeH: config.streamMaxAgeH, maxMegabytes: config.streamMaxMb, replicas: config.streamReplicas },
    consumer: { ackWaitS, maxAckPending: maxAckPendingFor(config.batchMaxRows) },
  }
  // By default with this connection: enough on a server without authentication, and a
  // least-privileged processor can still confirm that everything is in place.
  const setUp =
    deps.setUpJetStream ??
    (async (options: JetStreamSetUp) => {
      await ensureStreams(deps.nc, options.streams)
      await ensureProcessorConsumer(deps.nc, options.consumer)
    })
  // Idempotent, and run again by the supervisor: an operator may have deleted the consumer.
  async function ensureConsumer() {
    try {
      await setUp(setUpOptions)
    } catch (error) {
      if (!isPermissionViolation(error)) throw error
      // Only an admin may create or change streams and the consumer: say what to run.
      const existing = await jsm.consumers.info(framesStream, processorConsumer).catch(() => undefined)
      if (!existing) {
        throw new CallmaskError(
          'CALLMASK_ERR_JETSTREAM_SETUP',
          `The ${framesStream} stream or its ${processorConsumer} consumer is missing and this NATS user may not create them: run \`npm run keys -- init\` with the admin user.`,
          { cause: error },
        )
      }
      log.warn({ ackWaitS: (existing.config.ack_wait ?? 0) / 1e9 }, 'the processor consumer differs from this configuration and this NATS user may not change it; using it as it is')
    }
    return jetstream(deps.nc).consumers.get(framesStream, processorConsumer)
  }
  let consumer = await ensureConsumer()
  const metrics = createProcessorMetrics(deps.registry)
  const janitor = startStreamJanitor(jsm, log, { intervalMs: 30_000, onPurged: (count) => metrics.stalePurged.inc(count) })
  // At start-up first: after a crash of an old nats-server is when processed frames come back.
  await janitor.sweep().catch((error: unknown) => log.warn({ err: (error as Error).message }, 'stream janitor could not run; it tries again in 30 s'))
  const stats: ProcessorStats = { messages: 0, rows: 0, inserted: 0, deadLettered: 0, redelivered: 0 }
  const deadLetters = createDeadLetterPublisher(deps.nc)
  const liveIssues = createLiveIssueDetector()
  const publishIssues = createIssuePublisher(deps.nc, (count) => metrics.issues.inc(count))
  const decodeMessage = createMessageDecoder({
    pseudonymiser: deps.pseudonymiser,
    policy: deps.policy,
    retentionDays: config.retentionDays,
    aggregateRetentionDays: config.aggregateRetentionDays,
    tenantSettings: createTenantSettingsReader(deps.nc, { refreshMs: config.tenantSettingsRefreshMs, log }),
    onRepairedStrings: (count) => metrics.repairedStrings.inc(count),
    dropped: {
      unknownReport: (type) => metrics.droppedReports.inc({ report_type: reportTypeLabel(type) }),
      unknownFields: (where, count) => metrics.droppedFields.inc({ report_type: where === 'call' ? 'call' : reportTypeLabel(where) }, count),
    },
  })

  async function deadLetter(msg: JsMsg, reason: string): Promise<void> {
    await deadLetters.publish(msg, reason)
    msg.ack()
    stats.deadLettered += 1
    metrics.deadLettered.inc({ tenant: deadLetterTenantLabel(msg), reason: deadLetterReasonLabel(reason) })
  }

  const erasures = createErasureFilter(createErasureList(deps.clickhouse, config.clickhouseDatabase), createClickHouseSink(deps.clickhouse, config.clickhouseDatabase, {
    layout: layoutOf(config),
    // Tenant ids are validated names (ingest keys), safe as labels.
    onRepaired: (table, byTenant) => {
      for (const [tenant, frames] of byTenant) metrics.duplicatesRemoved.inc({ table, tenant }, frames)
      log.warn({ table, tenants: Object.fromEntries(byTenant) }, 'removed this processor\'s copy of frames another processor had written first (both held the message); aggregates rebuilt')
    },
    onRepairFailed: (table, byTenant, error) => {
      for (const [tenant, frames] of byTenant) metrics.duplicateRepairsFailed.inc({ table, tenant }, frames)
      log.error({ table, tenants: Object.fromEntries(byTenant), err: (error as Error).message }, 'could not remove this processor\'s copy of frames another processor had written first; run `callmask duplicates <tenant> --repair` for these tenants')
    },
  }), log, {
    refreshMs: config.erasureRefreshMs ?? 2000,
    onDropped: (rows) => metrics.erasedRowsDropped.inc(rows),
  })
  // Before the first message: an erasure made while no processor ran must hold from the start.
  await erasures.refresh()
  const writer = createBatchWriter(erasures.sink, log, {
    maxRows: config.batchMaxRows,
    maxMs: config.batchMaxMs,
    heartbeatMs: Math.max(1000, (ackWaitS * 1000) / 3),
    classify: classifyInsertError,
    probe: async () => (await deps.clickhouse.ping()).success,
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

  // One warning per tenant a minute, however many frames wait.
  const keyMissingWarned = new Map<string, number>()
  function warnKeyMissing(error: TenantKeyMissingError): void {
    const last = keyMissingWarned.get(error.message) ?? 0
    if (Date.now() - last < 60_000) return
    keyMissingWarned.set(error.message, Date.now())
    log.error({ code: error.code }, error.message)
  }

  /** Never throws: every message ends acked, dead-lettered, held by the writer, or nak'ed. */
  async function handle(msg: JsMsg): Promise<void> {
    if (msg.redelivered) {
      stats.redelivered += 1
      metrics.redelivered.inc()
    }
    try {
      const { source, rows } = await decodeMessage(msg)
      rows.stream_issues = liveIssues.observe(rows)
      await writer.add({
        source: { tenant: source.tenant, sessionId: source.sessionId, seq: source.seq },
        rows,
        ack: () => {
          msg.ack()
          publishIssues(rows.stream_issues)
        },
        working: () => msg.working(),
        deadLetter: (reason) => deadLetter(msg, reason),
      })
    } catch (error) {
      if (error instanceof TenantKeyMissingError) {
        // Not the frame's fault and not transient either: wait (in JetStream) for the operator.
        warnKeyMissing(error)
        msg.nak(10_000)
        return
      }
      const permanent = error instanceof PermanentProcessingError
      if (permanent || msg.info.deliveryCount >= maxTransientDeliveries) {
        const reason = permanent ? error.message : `failed ${msg.info.deliveryCount} times: ${(error as Error).message}`
        try {
          await deadLetter(msg, reason)
          log.warn({ reason, streamSeq: msg.seq }, 'message sent to the dead-letter stream')
          return
        } catch (dlqError) {
          log.error({ err: (dlqError as Error).message }, 'dead-letter stream unavailable; the message will be redelivered')
        }
      } else {
        // e.g. the keyring is unreachable: try again later, keep custody.
        log.warn({ err: (error as Error).message, deliveries: msg.info.deliveryCount }, 'message could not be processed now; redelivering later')
      }
      msg.nak(5000)
    }
  }

  let messages: ConsumerMessages | undefined
  let stopping = false
  let abandoned = false
  let consuming = false

  async function consumeOnce(): Promise<void> {
    // Pull requests that expire after 5 s, so the server's idle heartbeats come every 2.5 s:
    // nats.js re-pulls after two missed heartbeats. With its default (30 s, heartbeats every
    // 15 s) a pull request lost while a JetStream cluster moved the consumer's leader left
    // the processor idle for up to 30 s (measured: 20-28 s after the stream leader's restart).
    const current = await consumer.consume({ max_messages: Math.min(config.batchMaxRows, 5000), expires: 5000 })
    messages = current
    consuming = true
    // nats.js keeps polling a deleted consumer without ending the iterator: end it, so the
    // supervisor creates the consumer again.
    void (async () => {
      for await (const status of current.status()) {
        if (status.type === 'consumer_deleted' || status.type === 'consumer_not_found' || status.type === 'stream_not_found') {
          log.error({ status: status.type }, 'the JetStream consumer is gone; recreating it')
          await current.close()
          return
        }
      }
    })().catch(() => undefined)
    let handled = 0
    for await (const msg of current) {
      await handle(msg)
      if (stopping) break
      // Buffered messages resolve as microtasks: without a macrotask turn now and then, the
      // insert in flight could not complete while the next batch is built (measured: the
      // look-up waited ~250 ms per batch for the loop, halving throughput).
      if (++handled % 32 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
  }

  const supervisor = (async () => {
    for (let failures = 0; !stopping; ) {
      try {
        if (failures > 0 || messages) consumer = await ensureConsumer()
        await consumeOnce()
        failures = 0
      } catch (error) {
        failures += 1
        if (stopping) break
        const delay = Math.min(250 * 2 ** failures, 10_000)
        log.error({ err: (error as Error).message, retryInMs: delay }, 'processor consume loop failed; restarting')
        await new Promise((r) => setTimeout(r, delay))
      } finally {
        consuming = false
      }
      if (!stopping) await new Promise((r) => setTimeout(r, 250))
    }
  })()

  // Long runs show progress: a line every 10 s while data flows.
  let reported = 0
  const progress = setInterval(() => {
    void consumer.info().then((info) => metrics.lag.set(info.num_pending), () => undefined)
    if (stats.messages === reported) return
    reported = stats.messages
    log.info(stats, 'stored in ClickHouse so far')
  }, 10_000)
  progress.unref()
  const stuckAfterMs = (config.stuckAfterS ?? 120) * 1000
  metrics.oldestHeld.onScrape(() => writer.oldestHeldAgeMs() / 1000)

  return {
    stats,
    get consuming() {
      return consuming
    },
    get ready() {
      return consuming && writer.oldestHeldAgeMs() < stuckAfterMs
    },
    async close() {
      clearInterval(progress)
      erasures.close()
      janitor.stop()
      if (abandoned) return
      stopping = true
      writer.stopRetrying()
      // close() resolves only once the iterator reaches it; the loop ends on its own.
      void messages?.close()
      await supervisor
      await writer.close()
      // Acks are plain publishes: make sure the server has them before we report stopped.
      await deps.nc.flush().catch(() => undefined)
      log.info(stats, 'processor stopped')
    },
    async backlog() {
      try {
        const info = await jsm.consumers.info(framesStream, processorConsumer)
        return { waiting: info.num_pending, unacked: info.num_ack_pending, ackWaitS }
      } catch {
        return undefined
      }
    },
    async abandon() {
      clearInterval(progress)
      erasures.close()
      janitor.stop()
      stopping = true
      abandoned = true
      void messages?.close()
      writer.discard()
    },
  }
}

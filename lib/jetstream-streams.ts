// The JetStream streams and the processor's durable consumer callmask uses. They are set up
// by a NATS user allowed to (admin: embedded mode at start-up, `npm run keys -- init`, or a
// processor on a server without authentication), idempotently: a stream or consumer that
// already has the wanted configuration is only read, so a least-privileged processor can
// check them without write permissions.
import { AckPolicy, DeliverPolicy, DiscardPolicy, jetstreamManager, RetentionPolicy, StorageType, type ConsumerConfig, type StreamConfig } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/nats-core'
import { ConfigError } from './errors.ts'

export const framesStream = 'CALLMASK'
export const deadLetterStream = 'CALLMASK_DLQ'
export const processorConsumer = 'processor'

/** Frames of one tenant are published to `callmask.frames.<tenant>`. */
export const framesSubject = (tenant: string): string => `callmask.frames.${tenant}`
export const deadLetterSubject = (tenant: string): string => `callmask.dlq.${tenant}`
/** Core NATS (not a stream): live issue starts and ends, published once stored (processor/issue-publisher.ts). */
export const issuesSubject = (tenant: string): string => `callmask.issues.${tenant}`
/** Core NATS (not a stream): session claims between ingest processes (ingest/session-registry.ts). */
export const sessionClaimsSubject = 'callmask.sessions.claims'

const nanosPerSecond = 1_000_000_000

export interface StreamOptions {
  duplicateWindowS: number
  maxAgeH: number
  /**
   * The most raw frames may take on disk, in MB (0: no bound but the disk). When the processors
   * are so far behind that the backlog reaches it, JetStream refuses new frames (discard new)
   * and ingest answers them with a retryable backpressure error: clients keep them and resend.
   */
  maxMegabytes?: number
  /** Copies JetStream keeps of each stream, one per cluster node (3 on a three-node cluster). @default 1 */
  replicas?: number
  /** How long undeliverable raw frames stay in the dead-letter stream. @default 168 */
  deadLetterMaxAgeH?: number
}

function wantedStreams(options: StreamOptions): (Partial<StreamConfig> & { name: string; subjects: string[] })[] {
  return [
    {
      name: framesStream,
      subjects: ['callmask.frames.*'],
      storage: StorageType.File,
      // Raw frames hold personal data: a frame is deleted as soon as the processor acked it
      // (stored pseudonymised in ClickHouse); max_age only bounds how long one may wait.
      retention: RetentionPolicy.Workqueue,
      // Nats-Msg-Id = session:seq deduplicates a client's resends within this window.
      duplicate_window: options.duplicateWindowS * nanosPerSecond,
      max_age: options.maxAgeH * 3600 * nanosPerSecond,
      max_bytes: options.maxMegabytes ? options.maxMegabytes * 1024 * 1024 : -1,
      discard: options.maxMegabytes ? DiscardPolicy.New : DiscardPolicy.Old,
      num_replicas: options.replicas ?? 1,
    },
    {
      name: deadLetterStream,
      subjects: ['callmask.dlq.*'],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      max_age: (options.deadLetterMaxAgeH ?? 168) * 3600 * nanosPerSecond,
      num_replicas: options.replicas ?? 1,
    },
  ]
}

// JetStream's answers when a stream cannot get the replicas asked for.
const unplaceable = /replicas > 1 not supported in non-clustered mode|insufficient resources|no suitable peers/i

export async function ensureStreams(nc: NatsConnection, options: StreamOptions): Promise<void> {
  try {
    await ensureEachStream(nc, options)
  } catch (error) {
    if (!(error instanceof Error) || !unplaceable.test(error.message)) throw error
    const replicas = options.replicas ?? 1
    throw new ConfigError(
      `JetStream cannot keep ${replicas} ${replicas === 1 ? 'copy' : 'copies'} of callmask's streams (${error.message}). CALLMASK_STREAM_REPLICAS must not exceed the JetStream nodes of the NATS cluster (1 for a single nats-server); a cluster that has just started may need a few seconds more.`,
    )
  }
}

async function ensureEachStream(nc: NatsConnection, options: StreamOptions): Promise<void> {
  const jsm = await jetstreamManager(nc, { checkAPI: false })
  for (const config of wantedStreams(options)) {
    let existing: StreamConfig | undefined
    try {
      existing = (await jsm.streams.info(config.name)).config
    } catch (error) {
      if (!isNotFound(error)) throw error
    }
    if (!existing) {
      await jsm.streams.add(config)
      continue
    }
    // Rules callmask never sets could copy raw frames elsewhere (a republish into the
    // keyring's subjects, a mirror): refuse to run on such a stream rather than merge.
    const foreign = (['republish', 'sources', 'mirror'] as const).filter((key) => existing[key] !== undefined && existing[key] !== null)
    if (foreign.length > 0) {
      throw new ConfigError(
        `JetStream stream ${config.name} has ${foreign.join(', ')} set, which callmask never configures: raw frames could be copied elsewhere. An operator must remove it (nats stream edit ${config.name}) before callmask runs.`,
      )
    }
    if (existing.retention !== config.retention) {
      throw new ConfigError(
        `JetStream stream ${config.name} has ${existing.retention} retention, callmask needs ${config.retention}. Let the processor drain it, then delete it (nats stream rm ${config.name}) and start again.`,
      )
    }
    const differs = (Object.keys(config) as (keyof typeof config)[]).some((key) => JSON.stringify(existing[key]) !== JSON.stringify(config[key]))
    if (differs) await jsm.streams.update(config.name, config)
  }
}

/** How many unacked messages the consumer hands out: room for the writer's two batches. */
export const maxAckPendingFor = (batchMaxRows: number): number => Math.max(batchMaxRows * 4, 20_000)

export interface ConsumerOptions {
  ackWaitS: number
  maxAckPending: number
}

export function processorConsumerConfig(options: ConsumerOptions): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: processorConsumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: options.ackWaitS * nanosPerSecond,
    max_ack_pending: options.maxAckPending,
    max_deliver: -1,
  }
}

/** Creates the processors' shared durable consumer, or updates it when its settings differ. */
export async function ensureProcessorConsumer(nc: NatsConnection, options: ConsumerOptions): Promise<void> {
  const jsm = await jetstreamManager(nc, { checkAPI: false })
  const wanted = processorConsumerConfig(options)
  let existing: ConsumerConfig | undefined
  try {
    existing = (await jsm.consumers.info(framesStream, processorConsumer)).config
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
  if (!existing) {
    await jsm.consumers.add(framesStream, wanted)
    return
  }
  const differs = existing.ack_wait !== wanted.ack_wait || existing.max_ack_pending !== wanted.max_ack_pending
  if (differs) await jsm.consumers.update(framesStream, processorConsumer, { ack_wait: wanted.ack_wait, max_ack_pending: wanted.max_ack_pending })
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && /not found/i.test(error.message)
}

// The JetStream streams callmask uses, created or updated idempotently by every process
// at start-up, so ingest and processor can start in any order.
import { jetstreamManager, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/nats-core'
import { ConfigError } from './errors.ts'

export const framesStream = 'CALLMASK'
export const deadLetterStream = 'CALLMASK_DLQ'
export const processorConsumer = 'processor'

/** Frames of one tenant are published to `callmask.frames.<tenant>`. */
export const framesSubject = (tenant: string): string => `callmask.frames.${tenant}`
export const deadLetterSubject = (tenant: string): string => `callmask.dlq.${tenant}`

const nanosPerSecond = 1_000_000_000

export interface StreamOptions {
  duplicateWindowS: number
  maxAgeH: number
  /** How long undeliverable raw frames stay in the dead-letter stream. @default 168 */
  deadLetterMaxAgeH?: number
}

export async function ensureStreams(nc: NatsConnection, options: StreamOptions): Promise<void> {
  const jsm = await jetstreamManager(nc)
  const configs: (Partial<StreamConfig> & { name: string })[] = [
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
    },
    {
      name: deadLetterStream,
      subjects: ['callmask.dlq.*'],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      max_age: (options.deadLetterMaxAgeH ?? 168) * 3600 * nanosPerSecond,
    },
  ]
  for (const config of configs) {
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
    if (config.retention && existing.retention !== config.retention) {
      throw new ConfigError(
        `JetStream stream ${config.name} has ${existing.retention} retention, callmask needs ${config.retention}. Let the processor drain it, then delete it (nats stream rm ${config.name}) and start again.`,
      )
    }
    await jsm.streams.update(config.name, config)
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && /not found/i.test(error.message)
}

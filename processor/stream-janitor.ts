// Defence in depth for the frames stream. Work-queue retention deletes a frame as soon as the
// processor acks it, but nats-server 2.9 loses those interior deletes on an unclean stop: the
// acked frames, raw with names and phone numbers, come back and stay until max_age, while the
// consumer's ack floor is already past them, so they are never redelivered either. Whatever
// the server, no frame at or below the ack floor can be needed again: the janitor purges
// them at start-up and then periodically. On a healthy server it finds nothing to purge.
import type { JetStreamManager } from '@nats-io/jetstream'
import type { Logger } from 'pino'
import { framesStream, processorConsumer } from '../lib/jetstream-streams.ts'

export interface StreamJanitor {
  /** One pass: purges frames at or below the ack floor; resolves to how many it removed. */
  sweep(): Promise<number>
  stop(): void
}

export function startStreamJanitor(jsm: JetStreamManager, log: Logger, options: { intervalMs: number; onPurged?: (count: number) => void }): StreamJanitor {
  let running: Promise<number> | undefined

  async function sweepOnce(): Promise<number> {
    const [consumer, stream] = await Promise.all([jsm.consumers.info(framesStream, processorConsumer), jsm.streams.info(framesStream)])
    const floor = consumer.ack_floor.stream_seq
    // Nothing below the floor is left: the usual case, answered without a purge request.
    if (floor === 0 || stream.state.messages === 0 || stream.state.first_seq > floor) return 0
    const { purged } = await jsm.streams.purge(framesStream, { seq: floor + 1 })
    if (purged > 0) {
      log.warn({ purged, ackFloor: floor }, 'purged processed frames the nats-server had kept (deletes lost in an unclean stop)')
      options.onPurged?.(purged)
    }
    return purged
  }

  const sweep = () => {
    running ??= sweepOnce().finally(() => (running = undefined))
    return running
  }
  const timer = setInterval(() => {
    sweep().catch((error: unknown) => log.debug({ err: (error as Error).message }, 'stream janitor pass failed; next pass later'))
  }, options.intervalMs)
  timer.unref()
  return { sweep, stop: () => clearInterval(timer) }
}

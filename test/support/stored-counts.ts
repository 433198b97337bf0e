// What the loss, cluster and scale-out tests count: rtp rows stored (all, distinct, and the frames
// they came from) and the frames still waiting in JetStream.
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { framesStream } from '../../lib/jetstream-streams.ts'
import type { TestWorld } from './test-pipeline.ts'

export async function rtpRowCounts(world: TestWorld): Promise<{ rows: number; distinct: number; frames: number }> {
  const [row] = await world.query<{ rows: string; distinct_rows: string; frames: string }>(
    'SELECT count() AS rows, uniqExact(session_id, seq, report_id) AS distinct_rows, uniqExact(session_id, seq) AS frames FROM {db}.rtp_samples',
  )
  return { rows: Number(row?.rows), distinct: Number(row?.distinct_rows), frames: Number(row?.frames) }
}

/** Messages in the CALLMASK stream (work-queue retention: not yet acked by a processor). */
export async function framesWaiting(world: TestWorld): Promise<number> {
  const nc = await connect({ ...world.natsOptions('admin'), reconnect: false })
  try {
    return (await (await jetstreamManager(nc)).streams.info(framesStream)).state.messages
  } finally {
    await nc.close()
  }
}

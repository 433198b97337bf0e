// A batch retried after a timeout that hid its success (the same rows, the same token) is
// dropped by ClickHouse in the raw table and in every aggregate the views feed from it
// (migration 007: the aggregate tables keep a deduplication window too). Before 007 the
// aggregates counted the retry twice while rtp_samples held the rows once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { compactInserter, compactRows } from '../storage/compact-insert.ts'
import { loadCapture } from './support/captures.ts'
import { peerRows } from './support/mapped-captures.ts'
import { createTestWorld, type TestWorld } from './support/test-pipeline.ts'

describe('a retried insert and the aggregates (integration)', () => {
  let world: TestWorld
  beforeAll(async () => {
    world = await createTestWorld()
    const pipeline = await world.start({ role: 'processor' })
    await pipeline.close() // the migrations are applied; nothing else is needed
  })
  afterAll(async () => world?.close())

  const counts = async () => {
    const [row] = await world.query<Record<string, string>>(
      `SELECT (SELECT count() FROM {db}.rtp_samples) AS raw,
              (SELECT countMerge(intervals) FROM {db}.quality_minute_state) AS minute_intervals,
              (SELECT count() FROM {db}.call_stream_state) AS stream_states,
              (SELECT count() FROM {db}.call_path_state) AS path_states`,
    )
    return Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)]))
  }

  it('the same batch inserted twice with one token adds its rows and its aggregates once', async () => {
    const { rtp } = await peerRows(loadCapture('chromium-loopback-av.json'), 'caller')
    const { columns, body } = compactRows(rtp)
    const insert = compactInserter(world.clickhouse)
    const token = createHash('sha256').update('rtp_samples\0').update(body).digest('hex')
    const send = () => insert({ table: `${world.database}.rtp_samples`, columns, body, settings: { async_insert: 0, insert_deduplicate: 1, insert_deduplication_token: token } })
    await send()
    const once = await counts()
    expect(once['raw']).toBe(rtp.length)
    expect(once['minute_intervals']).toBeGreaterThan(0)
    expect(once['stream_states']).toBeGreaterThan(0)
    await send()
    expect(await counts()).toEqual(once)
  })
})

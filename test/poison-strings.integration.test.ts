// Regression: a frame whose conferenceId was `standup-\ud800` (JSON allows a lone surrogate;
// a browser makes one by cutting a name inside an emoji) was acked, then ClickHouse refused
// its batch (code 25) and the writer retried forever: nothing more was stored for any
// tenant. Now strings are made well-formed before storage (U+FFFD), an error ClickHouse gives
// for data isolates the one message, and a writer that cannot store shows in /readyz.
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deadLetterStream } from '../lib/jetstream-streams.ts'
import type { Pipeline } from '../app/pipeline.ts'
import { createBatchWriter, type BatchItem } from '../processor/batch-writer.ts'
import { classifyInsertError } from '../storage/clickhouse-errors.ts'
import { createClickHouseSink } from '../storage/clickhouse-sink.ts'
import { mapEventFrame } from '../processor/report-mapper.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { rawHello, rawSession } from './support/raw-session.ts'
import { createTestWorld, eventually, testKey, type TestWorld } from './support/test-pipeline.ts'

const goodCall = { conferenceId: 'room-good', participantId: 'u-good', peerConnectionId: 'pc-good' }

describe('poison strings (integration)', () => {
  let world: TestWorld
  let pipeline: Pipeline
  beforeAll(async () => {
    world = await createTestWorld()
    pipeline = await world.start({ stuckAfterS: 5 })
  })
  afterAll(async () => world?.close())

  const eventCount = async () => Number((await world.query<{ n: string }>('SELECT count() AS n FROM {db}.call_events'))[0]?.n)

  it('stores a frame with lone surrogates (JSON escapes, a cut emoji), repaired, and everything after it', async () => {
    const s = await rawSession(pipeline.ingest!.url, 'callmask.v1.json')
    s.send(rawHello(testKey))
    await s.next('ack')
    // Written as raw JSON text so the escapes reach the server exactly as an attacker sends them.
    const ts = Date.now()
    s.sendRaw(`{"type":"event","seq":1,"ts":${ts},"name":"join","call":{"conferenceId":"standup-\\ud800","participantId":"u-\\udfff-1","peerConnectionId":"pc-1","displayName":"Anna \\ud83d"}}`)
    await eventually(() => s.frames.some((f) => f['type'] === 'ack' && f['seq'] === 1), 10_000, 'the poison frame acked')

    // A well-behaved client after it, on msgpack, gets its frames stored too.
    const good = new CallmaskClient({ url: pipeline.ingest!.url, key: testKey })
    await good.connect()
    for (let i = 0; i < 5; i++) await good.sendEvent(goodCall, 'join', undefined, Date.now())
    await good.waitForAck()
    good.close()
    await eventually(async () => (await eventCount()) === 6, 15_000, 'the poison frame and the five after it stored')

    const [stored] = await world.query<{ conference_id: string }>("SELECT conference_id FROM {db}.call_events WHERE conference_id LIKE 'standup-%'")
    expect(stored!.conference_id).toBe('standup-\ufffd')
    const metrics = await (await fetch(`http://127.0.0.1:${pipeline.ingest!.port}/metrics`)).text()
    expect(metrics).toMatch(/^callmask_processor_repaired_strings_total [1-9]/m)
    expect(pipeline.processor!.stats.deadLettered).toBe(0)
  })

  it('a lone surrogate in a msgpack frame (WTF-8 bytes) arrives as U+FFFD too', async () => {
    const client = new CallmaskClient({ url: pipeline.ingest!.url, key: testKey })
    await client.connect()
    const before = await eventCount()
    await client.sendEvent({ ...goodCall, conferenceId: 'msgpack-\udbff' }, 'join', undefined, Date.now())
    await client.waitForAck()
    client.close()
    await eventually(async () => (await eventCount()) === before + 1, 15_000, 'the msgpack frame stored')
    const rows = await world.query<{ conference_id: string }>("SELECT conference_id FROM {db}.call_events WHERE conference_id LIKE 'msgpack-%'")
    // The UTF-8 decoder replaces each byte of the invalid sequence ED AF BF.
    expect(rows.map((r) => r.conference_id)).toEqual(['msgpack-\ufffd\ufffd\ufffd'])
  })

  it('defence in depth: rows ClickHouse refuses (its real code 25) are isolated and dead-lettered, the rest stored', async () => {
    const sink = createClickHouseSink(world.clickhouse, world.database)
    const outcome = { acked: [] as number[], deadLettered: [] as string[] }
    const now = Date.now()
    // Rows built by the real mapper, bypassing the decoder that would repair the string.
    const item = (seq: number, conference: string): BatchItem => ({
      source: { tenant: 'acme', sessionId: 'depth', seq },
      rows: mapEventFrame(
        { type: 'event', seq, ts: now, name: 'join', call: { conferenceId: conference, participantId: 'p', peerConnectionId: 'pc' } },
        { tenant: 'acme', sessionId: 'depth', seq, retentionDays: 30 },
      ),
      ack: () => outcome.acked.push(seq),
      working: () => undefined,
      deadLetter: async (reason) => void outcome.deadLettered.push(`${seq}: ${reason}`),
    })
    const writer = createBatchWriter(sink, pino({ level: 'silent' }), { maxRows: 100, maxMs: 10_000, heartbeatMs: 10_000, classify: classifyInsertError })
    for (let seq = 1; seq <= 6; seq++) await writer.add(item(seq, seq === 3 ? 'raw-\ud800' : `depth-${seq}`))
    await writer.close()
    expect(outcome.deadLettered).toEqual(['3: ClickHouse refused the rows: CANNOT_PARSE_ESCAPE_SEQUENCE (code 25)'])
    expect(outcome.acked.sort()).toEqual([1, 2, 4, 5, 6])
    const [stored] = await world.query<{ n: string }>("SELECT count() AS n FROM {db}.call_events WHERE session_id = 'depth'")
    expect(Number(stored!.n)).toBe(5)
  })

  it('a writer that cannot store is visible: oldest-unacked gauge, /readyz 503, one error line; then it recovers', async () => {
    const readyz = async () => (await fetch(`http://127.0.0.1:${pipeline.ingest!.port}/readyz`)).status
    expect(await readyz()).toBe(200)
    // An operator moves the table away: ClickHouse is up but cannot take these rows.
    await world.clickhouse.command({ query: `RENAME TABLE ${world.database}.call_events TO ${world.database}.call_events_away` })
    const logsBefore = world.logs.length
    const client = new CallmaskClient({ url: pipeline.ingest!.url, key: testKey })
    await client.connect()
    for (let i = 0; i < 3; i++) await client.sendEvent(goodCall, 'leave', undefined, Date.now())
    await client.waitForAck() // ingest still stores them in JetStream
    await eventually(async () => (await readyz()) === 503, 30_000, '/readyz unready past CALLMASK_STUCK_AFTER_S')
    const metrics = await (await fetch(`http://127.0.0.1:${pipeline.ingest!.port}/metrics`)).text()
    const age = Number(/^callmask_processor_oldest_unacked_seconds (\S+)$/m.exec(metrics)?.[1])
    expect(age).toBeGreaterThanOrEqual(5)
    const failures = world.logs.slice(logsBefore).filter((l) => l.includes('ClickHouse insert failed; retrying'))
    expect(failures).toHaveLength(1)

    await world.clickhouse.command({ query: `RENAME TABLE ${world.database}.call_events_away TO ${world.database}.call_events` })
    await eventually(async () => (await readyz()) === 200, 30_000, 'ready again')
    const [leaves] = await world.query<{ n: string }>("SELECT count() AS n FROM {db}.call_events WHERE name = 'leave'")
    expect(Number(leaves!.n)).toBe(3)
    expect(world.logs.slice(logsBefore).some((l) => l.includes('ClickHouse took the batch again'))).toBe(true)
    client.close()
    // Nothing of this went to the dead-letter stream: the data waited.
    const nc = await connect(world.natsOptions('admin'))
    expect((await (await jetstreamManager(nc)).streams.info(deadLetterStream)).state.messages).toBe(0)
    await nc.close()
  })
})

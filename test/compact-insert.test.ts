// How the sink's batches reach ClickHouse (storage/compact-insert.ts), on both paths:
//  - a ClickHouse server: no server is installable here, so a local HTTP endpoint stands in
//    for one and records what the real @clickhouse/client sends: the INSERT with the rows'
//    text as its body, byte for byte, and the settings as query parameters; and an error
//    answered the way ClickHouse answers one is classified as the data's fault;
//  - chdb: the rows land, the settings stay with their insert (not the session), and a row
//    ClickHouse refuses is classified as the data's fault.
import { ClickHouseLogLevel, createClient } from '@clickhouse/client'
import { createServer, type IncomingMessage } from 'node:http'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { classifyInsertError } from '../storage/clickhouse-errors.ts'
import { connectClickHouse } from '../storage/clickhouse-connection.ts'
import { createClickHouseSink } from '../storage/clickhouse-sink.ts'
import { compactInserter, registerChdbClient } from '../storage/compact-insert.ts'
import { applyMigrations } from '../storage/migrations.ts'

interface Recorded { url: URL; body: string }

async function httpEndpoint(answer: (request: Recorded) => { status: number; body: string; headers?: Record<string, string> }) {
  const requests: Recorded[] = []
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const recorded = { url: new URL(req.url ?? '/', 'http://localhost'), body: Buffer.concat(chunks).toString('utf8') }
      requests.push(recorded)
      const reply = answer(recorded)
      res.writeHead(reply.status, { 'Content-Type': 'text/plain', ...reply.headers })
      res.end(reply.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return { requests, url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

const row = (seq: number) => ({ tenant: 't1', ts: 1_700_000_000_000 + seq, session_id: 's1', seq, codec: 'audio/opus', jitter: 0.005, mos: null })

describe('batches to a ClickHouse server', () => {
  it('sends the rows as the INSERT body, byte for byte, with the settings as query parameters', async () => {
    const endpoint = await httpEndpoint(() => ({ status: 200, body: '' }))
    const client = createClient({ url: endpoint.url })
    const sink = createClickHouseSink(client, 'callmask')
    const rows = [row(1), row(2)]
    expect(await sink.insert('rtp_samples', rows, [{ tenant: 't1', sessionId: 's1', seq: 1 }, { tenant: 't1', sessionId: 's1', seq: 2 }])).toBe(2)
    await client.close()
    await endpoint.close()
    const insert = endpoint.requests.find((r) => (r.url.searchParams.get('query') ?? '').startsWith('INSERT'))!
    expect(insert.url.searchParams.get('query')).toBe('INSERT INTO `callmask`.`rtp_samples` (`tenant`, `ts`, `session_id`, `seq`, `codec`, `jitter`, `mos`, `insert_id`) FORMAT JSONCompactEachRow')
    // Every row stamped with the same insert id (the check for a frame written twice reads it).
    expect(insert.body).toMatch(/^\["t1",1700000000001,"s1",1,"audio\/opus",0\.005,null,(\d+)\]\n\["t1",1700000000002,"s1",2,"audio\/opus",0\.005,null,\1\]\n$/)
    expect(insert.url.searchParams.get('insert_deduplicate')).toBe('1')
    expect(insert.url.searchParams.get('insert_deduplication_token')).toMatch(/^[0-9a-f]{64}$/)
    // The look-up ran first, on the same server, and the check for a copy written earlier after it.
    expect(endpoint.requests[0]!.body.startsWith('SELECT DISTINCT tenant, session_id, seq')).toBe(true)
    expect(endpoint.requests.at(-1)!.body).toMatch(/HAVING uniqExact\(insert_id\) > 1/)
  })

  for (const sharded of [false, true]) {
    it(`on replicated tables${sharded ? ' behind Distributed ones' : ''}, inserts wait for every replica${sharded ? ' and shard' : ''} and the look-up and the check read only such inserts`, async () => {
      const endpoint = await httpEndpoint(() => ({ status: 200, body: '' }))
      const client = createClient({ url: endpoint.url })
      const sink = createClickHouseSink(client, 'callmask', { layout: { cluster: 'callmask_cluster', sharded } })
      expect(await sink.insert('rtp_samples', [row(1)], [{ tenant: 't1', sessionId: 's1', seq: 1 }])).toBe(1)
      await client.close()
      await endpoint.close()
      const [lookup, insert, check] = endpoint.requests
      expect(insert!.url.searchParams.get('insert_quorum')).toBe('auto')
      expect(insert!.url.searchParams.get('distributed_foreground_insert')).toBe(sharded ? '1' : null)
      for (const read of [lookup!, check!]) expect(read.url.searchParams.get('select_sequential_consistency')).toBe('1')
    })
  }

  /** What an insert gets from a server answering with this ClickHouse error. */
  async function serverRefusal(body: string, code: string, rows: string): Promise<unknown> {
    const endpoint = await httpEndpoint(() => ({ status: 500, body, headers: { 'X-ClickHouse-Exception-Code': code } }))
    const client = createClient({ url: endpoint.url, log: { level: ClickHouseLogLevel.OFF } })
    const error = await compactInserter(client)({ table: 'callmask.rtp_samples', columns: ['seq'], body: rows, settings: {} }).catch((e: unknown) => e)
    await client.close()
    await endpoint.close()
    return error
  }

  it('on replicated tables, an insert refused while the previous quorum insert is unfinished is retried, never taken for bad data', async () => {
    // insert_quorum_parallel = 0 refuses a second quorum insert into a table until the first
    // reached its quorum: with several processors that is routine, not the rows' fault.
    const error = await serverRefusal('Code: 286. DB::Exception: Quorum for previous write has not been satisfied yet. Status: version: 1. (UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE) (version 25.8.1.1)', '286', '[1]\n')
    expect(classifyInsertError(error)).toBe('unavailable')
    for (const [code, type] of [['285', 'TOO_FEW_LIVE_REPLICAS'], ['319', 'UNKNOWN_STATUS_OF_INSERT']]) {
      expect(classifyInsertError(Object.assign(new Error(`Code: ${code}. DB::Exception: (${type})`), { code, type })), type).toBe('unavailable')
    }
  })

  it("a row the server refuses (its error answer) is the data's fault; a server that is not there is unavailability", async () => {
    const error = await serverRefusal('Code: 27. DB::Exception: Cannot parse input: expected \'"\' before: \'x\': (at row 1): While executing ParallelParsingBlockInputFormat. (CANNOT_PARSE_INPUT_ASSERTION_FAILED) (version 24.8.1.1)', '27', '["x"]\n')
    expect(classifyInsertError(error)).toBe('data')
    const endpoint = await httpEndpoint(() => ({ status: 500, body: '' }))
    await endpoint.close()
    const absent = createClient({ url: endpoint.url, request_timeout: 2000, log: { level: ClickHouseLogLevel.OFF } })
    const refused = await compactInserter(absent)({ table: 'callmask.rtp_samples', columns: ['seq'], body: '[1]\n', settings: {} }).catch((e: unknown) => e)
    expect(classifyInsertError(refused)).toBe('unavailable')
    await absent.close()
  })
})

describe('batches to chdb', () => {
  const { client } = connectClickHouse({ chdbPath: mkdtempSync(join(tmpdir(), 'callmask-compact-')) })
  afterAll(() => client.close())

  it('stores the rows, and the insert settings stay with the insert, not the session', async () => {
    await applyMigrations(client, 'compact_test')
    const sink = createClickHouseSink(client, 'compact_test')
    const rows = [1, 2, 3].map((seq) => ({ tenant: 't1', ts: Date.now(), retention_days: 30, aggregate_retention_days: 395, conference_id: 'c', participant_id: 'p', display_name: '', peer_connection_id: 'pc', call_id: '', session_id: 's1', seq, name: 'join', value_text: '', value_number: null }))
    expect(await sink.insert('call_events', rows, rows.map((r) => ({ tenant: 't1', sessionId: 's1', seq: r.seq })))).toBe(3)
    const count = await (await client.query({ query: 'SELECT count() AS n FROM compact_test.call_events', format: 'JSONEachRow' })).json<{ n: string }>()
    expect(Number(count[0]!.n)).toBe(3)
    const token = await (await client.query({ query: "SELECT value FROM system.settings WHERE name = 'insert_deduplication_token'", format: 'JSONEachRow' })).json<{ value: string }>()
    expect(token[0]!.value).toBe('')
  })

  it("a row chdb refuses is the data's fault", async () => {
    const error = await compactInserter(client)({ table: 'compact_test.call_events', columns: ['seq'], body: '[-1]\n', settings: {} }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect(classifyInsertError(error)).toBe('data')
  })

  it('refuses a chdb without the raw insert at start-up, with a sentence', () => {
    expect(() => registerChdbClient(createClient({ url: 'http://127.0.0.1:9' }), {})).toThrow(/no raw insert/)
  })
})

// The analyst API over the real pipeline (uWS ingest, nats-server, processor, chdb): a
// degraded call streamed by the SDK, then read through HTTP as an analyst would, with keys
// of each role, bad keys and bad queries.
import { request as httpRequest } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Pipeline } from '../../app/pipeline.ts'
import { hashKey } from '../../lib/key-hash.ts'
import { loadCapture } from '../support/captures.ts'
import { streamCapture } from '../support/stream-capture.ts'
import { createTestWorld, testTenant, type TestWorld } from '../support/test-pipeline.ts'

const analystKey = 'analyst-key-acme-0123456789'
const otherAnalystKey = 'analyst-key-other-0123456789'
const adminKey = 'admin-key-0123456789'

describe('analyst API (integration)', () => {
  let world: TestWorld
  let pipeline: Pipeline
  let base: string
  const get = (path: string, key: string | null = analystKey) => fetch(`${base}${path}`, { headers: key !== null ? { authorization: `Bearer ${key}` } : {} })
  const json = async (path: string, key?: string) => {
    const response = await get(path, key)
    expect(response.status, path).toBe(200)
    return (await response.json()) as { rows: Record<string, unknown>[]; count: number }
  }

  beforeAll(async () => {
    world = await createTestWorld()
    pipeline = await world.start({
      apiKeys: [
        { id: 'ana', role: 'analyst', tenant: testTenant, sha256: hashKey(analystKey) },
        { id: 'other', role: 'analyst', tenant: 'globex', sha256: hashKey(otherAnalystKey) },
        { id: 'root', role: 'admin', sha256: hashKey(adminKey) },
      ],
    })
    base = pipeline.api!.url
    await streamCapture(pipeline, 'chromium-loopback-degraded.json')
  }, 120_000)
  afterAll(async () => world?.close())

  it('refuses a missing or wrong key (401) and another tenant (403), each with a message', async () => {
    const missing = await get(`/v1/tenants/${testTenant}/quality`, null)
    expect(missing.status).toBe(401)
    expect(await missing.json()).toMatchObject({ error: 'CALLMASK_ERR_UNAUTHORIZED', message: expect.stringContaining('Authorization: Bearer') })
    const wrong = await get(`/v1/tenants/${testTenant}/quality`, 'not-a-key')
    expect(wrong.status).toBe(401)
    expect(((await wrong.json()) as { message: string }).message).toBe('the API key is not valid')
    const other = await get(`/v1/tenants/${testTenant}/quality`, otherAnalystKey)
    expect(other.status).toBe(403)
    expect(((await other.json()) as { message: string }).message).toContain(`may not read tenant ${testTenant}`)
    // However the path is spelt, the key is checked on the route it reaches (a raw-URL check
    // was passed by percent-escapes and absolute-form request targets).
    for (const path of [`/%761/tenants/${testTenant}/calls/worst`, `/v%31/tenants/${testTenant}/alerts`, `/%76%31/tenants/${testTenant}/conferences/room-a/timeline`]) {
      const response = await get(path, null)
      expect(response.status, path).toBe(401)
    }
    const absolute = await new Promise<number>((resolve, reject) => {
      const url = new URL(base)
      const request = httpRequest({ host: url.hostname, port: url.port, method: 'GET', path: `${base}/v1/tenants/${testTenant}/alerts` }, (response) => {
        response.resume()
        resolve(response.statusCode ?? 0)
      })
      request.on('error', reject)
      request.end()
    })
    expect(absolute).toBe(401)
    // An admin reads any tenant.
    expect((await json(`/v1/tenants/${testTenant}/alerts`, adminKey)).count).toBeGreaterThan(0)
  })

  it('quality over time: per minute, MOS and percentiles, filtered by conference and direction; also as CSV', async () => {
    const { rows } = await json(`/v1/tenants/${testTenant}/quality?conference=room-a&kind=audio&direction=received`)
    expect(rows.length).toBeGreaterThanOrEqual(1)
    for (const row of rows) {
      expect(row['conference_id']).toBe('room-a')
      expect(row['mos_p50'] as number).toBeGreaterThan(4)
      expect(row['rtt_p95'] as number).toBeLessThan(0.1)
    }
    const csv = await get(`/v1/tenants/${testTenant}/quality?format=csv`)
    expect(csv.headers.get('content-type')).toContain('text/csv')
    const lines = (await csv.text()).trim().split('\n')
    expect(lines[0]).toMatch(/^"minute","conference_id","kind","direction"/)
    expect(lines.length).toBeGreaterThan(2)
    const ndjson = await get(`/v1/tenants/${testTenant}/quality?format=ndjson`)
    expect(ndjson.headers.get('content-type')).toContain('application/x-ndjson')
    const objects = (await ndjson.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(objects.length).toBe(lines.length - 1)
    expect(objects[0]).toHaveProperty('mos_p50')
  })

  it('worst calls, one conference\'s timeline with issues, distributions and active alerts', async () => {
    const worst = await json(`/v1/tenants/${testTenant}/calls/worst?limit=10`)
    expect(worst.rows.map((r) => r['peer_connection_id']).sort()).toEqual(['pc-callee', 'pc-caller'])
    const mos = worst.rows.map((r) => Math.round((r['mos_p5'] as number) * 10))
    expect(mos).toEqual([...mos].sort((a, b) => a - b))
    // One fixed range for both reads: the capture's last reports are stamped a moment after
    // the replay's "now", so a default range ending at each request's now could split them.
    const range = `from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`
    const timeline = (await (await get(`/v1/tenants/${testTenant}/conferences/room-a/timeline?${range}`)).json()) as Record<string, Record<string, unknown>[]>
    expect(timeline['intervals']!.length).toBeGreaterThan(100)
    expect(timeline['issues']!.map((i) => i['issue'])).toContain('video-freeze')
    const histogram = await json(`/v1/tenants/${testTenant}/distributions/mos?${range}`)
    const scored = timeline['intervals']!.filter((i) => typeof i['mos'] === 'number').length
    expect(histogram.rows.reduce((sum, b) => sum + Number(b['intervals']), 0)).toBe(scored)
    const alerts = await json(`/v1/tenants/${testTenant}/alerts`)
    expect(alerts.rows.map((a) => a['issue'])).toContain('bandwidth-limitation')
    // Another tenant's data is not there for its own analyst.
    expect((await json('/v1/tenants/globex/alerts', otherAnalystKey)).count).toBe(0)
  })

  it('gives the numbers the capture holds, computed here independently of the pipeline', async () => {
    // From the fixture: each peer's received-audio reports, one interval between each two.
    const capture = loadCapture('chromium-loopback-degraded.json')
    const receivedAudio = (peer: string) =>
      capture.peers.find((p) => p.peerId === peer)!.samples.filter((s) => s.reports.some((r) => r['type'] === 'inbound-rtp' && r['kind'] === 'audio')).length
    const expectedIntervals = receivedAudio('caller') - 1 + (receivedAudio('callee') - 1)
    const minutes = await json(`/v1/tenants/${testTenant}/quality?kind=audio&direction=received`)
    expect(minutes.rows.reduce((sum, m) => sum + Number(m['intervals']), 0)).toBe(expectedIntervals)
    // The caller's last received-video report holds the call's freeze time and count.
    const lastVideo = (peer: string) =>
      capture.peers.find((p) => p.peerId === peer)!.samples.flatMap((s) => s.reports).filter((r) => r['type'] === 'inbound-rtp' && r['kind'] === 'video').at(-1)!
    const range = `from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`
    const timeline = (await (await get(`/v1/tenants/${testTenant}/conferences/room-a/timeline?${range}`)).json()) as Record<string, Record<string, unknown>[]>
    const callerFreeze = timeline['intervals']!.filter((i) => i['peer_connection_id'] === 'pc-caller' && i['report_type'] === 'inbound-rtp' && i['kind'] === 'video')
    expect(callerFreeze.reduce((sum, i) => sum + Number(i['interval_freeze_duration']), 0)).toBeCloseTo(lastVideo('caller')['totalFreezesDuration'] as number, 9)
    // Bytes: the sum of the interval bitrates times their lengths is the last counter minus the first.
    const videoReports = capture.peers.find((p) => p.peerId === 'caller')!.samples.flatMap((s) => s.reports).filter((r) => r['type'] === 'inbound-rtp' && r['kind'] === 'video')
    const bytes = (videoReports.at(-1)!['bytesReceived'] as number) - (videoReports[0]!['bytesReceived'] as number)
    const fromRates = callerFreeze.reduce((sum, i) => sum + (Number(i['interval_bitrate_bps']) * Number(i['interval_ms'])) / 8000, 0)
    expect(fromRates).toBeCloseTo(bytes, 0)
  })

  it('answers bad queries with 400 and a message', async () => {
    const cases: [string, RegExp][] = [
      [`/v1/tenants/${testTenant}/quality?from=2026-12-02T10:00:00Z&to=2026-12-01T10:00:00Z`, /`from` must be before `to`/],
      [`/v1/tenants/${testTenant}/quality?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z`, /at most 31 days/],
      [`/v1/tenants/${testTenant}/quality?from=yesterday`, /from/],
      [`/v1/tenants/${testTenant}/quality?limit=1000000`, /limit/],
      [`/v1/tenants/${testTenant}/quality?sql=DROP%20TABLE`, /additional properties/],
      [`/v1/tenants/${testTenant}/distributions/bitrate`, /metric/],
    ]
    for (const [path, message] of cases) {
      const response = await get(path)
      expect(response.status, path).toBe(400)
      const body = (await response.json()) as { error: string; message: string }
      expect(body.error).toBe('CALLMASK_ERR_BAD_REQUEST')
      expect(body.message, path).toMatch(message)
    }
    expect((await get('/v1/nothing-here')).status).toBe(404)
  })

  describe('SQL endpoint', () => {
    const sql = (body: unknown, key = analystKey) =>
      fetch(`${base}/v1/tenants/${testTenant}/sql`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })

    it('runs a parameterised SELECT over the tenant\'s rows only, within the row limit', async () => {
      // Another tenant's row, written straight into the table: it must stay out of reach.
      await world.clickhouse.command({
        query: `INSERT INTO ${world.database}.rtp_samples (tenant, ts, retention_days, conference_id, session_id, seq, report_type, report_id, kind) VALUES ('globex', now64(3), 30, 'room-a', 's-globex', 1, 'inbound-rtp', 'x', 'audio')`,
      })
      const [all] = await world.query<{ tenants: string }>("SELECT uniqExact(tenant) AS tenants FROM {db}.rtp_samples WHERE conference_id = 'room-a'")
      expect(Number(all!.tenants)).toBe(2)
      const response = await sql({ sql: 'SELECT tenant, count() AS n FROM rtp_samples WHERE conference_id = {room:String} GROUP BY tenant', params: { room: 'room-a' } })
      expect(response.status).toBe(200)
      const body = (await response.json()) as { rows: { tenant: string; n: string }[] }
      expect(body.rows).toEqual([{ tenant: testTenant, n: expect.anything() }])
      expect(Number(body.rows[0]!.n)).toBeGreaterThan(100)
      // Views and subqueries see the same scope.
      const nested = (await (await sql({ sql: 'SELECT count() AS n FROM call_summaries WHERE session_id IN (SELECT session_id FROM rtp_samples)' })).json()) as { rows: { n: string }[] }
      expect(Number(nested.rows[0]!.n)).toBeGreaterThan(0)
      const capped = (await (await sql({ sql: 'SELECT report_id FROM rtp_samples', limit: 7 })).json()) as { rows: unknown[]; truncated: boolean }
      expect(capped.rows.length).toBe(7)
      expect(capped.truncated).toBe(true)
    })

    it('refuses writes, other tables, table functions, settings and files, with a reason', async () => {
      const refused: [string, RegExp][] = [
        ['INSERT INTO rtp_samples (tenant) VALUES (\'acme\')', /only SELECT/],
        ['DROP TABLE rtp_samples', /only SELECT/],
        ['ALTER TABLE rtp_samples DELETE WHERE 1', /only SELECT/],
        ['SELECT 1; DROP TABLE rtp_samples', /one statement/],
        [`SELECT * FROM ${world.database}.rtp_samples`, /may read only/],
        ['SELECT * FROM system.tables', /may read only/],
        ['SELECT count() FROM rtp_samples WHERE report_id IN (SELECT name FROM system.tables)', /may read only/],
        ["SELECT * FROM file('/etc/passwd')", /table functions/],
        ['SELECT * FROM numbers(10)', /table functions/],
        ["SELECT * FROM url('http://127.0.0.1/', 'CSV')", /table functions/],
        ['SELECT 1 SETTINGS readonly = 0', /SETTINGS|FORMAT/],
        ["SELECT 1 INTO OUTFILE '/tmp/x.csv'", /FORMAT, SETTINGS and INTO OUTFILE|cannot parse/],
        ['SELECT sleepEachRow(1) FROM rtp_samples', /sleepEachRow/],
        ['SELECT * FROM rtp_samples UNION ALL SELECT * FROM connection_samples_missing', /may read only/],
        // Found by an attacker review: a table named on the right of IN is read whole.
        ['SELECT 0 IN system.one AS x', /IN a table by name/],
        [`SELECT count() FROM rtp_samples WHERE (tenant, session_id) NOT IN ${world.database}.rtp_samples`, /IN a table by name/],
        ['SELECT count() FROM rtp_samples WHERE 1 GLOBAL IN system.numbers', /IN a table by name/],
        ["SELECT hasColumnInTable('system', 'users', 'name') AS x", /hasColumnInTable/],
        ["SELECT dictGetOrDefault('d', 'x', 1, 'y') AS x", /dictGetOrDefault/],
        ['SELECT hostName(), version(), currentDatabase() AS x', /hostName/],
        ["SELECT getSettingOrDefault('max_execution_time', 0) AS x", /getSettingOrDefault/],
        ['SELECT 1 FORMAT JSON', /FORMAT, SETTINGS and INTO OUTFILE|cannot parse/],
        ['SELEC nonsense', /cannot parse/],
      ]
      for (const [query, reason] of refused) {
        const response = await sql({ sql: query })
        expect(response.status, query).toBe(400)
        const body = (await response.json()) as { error: string; message: string }
        expect(body.message, query).toMatch(reason)
      }
      // A syntax error is placed in the analyst's text, not in the check's EXPLAIN AST around it.
      expect(((await (await sql({ sql: 'SELECT (1' })).json()) as { message: string }).message).toContain('position 8 (() (line 1, col 8)')
      // The endpoint's own parameters cannot be overridden, in any case.
      for (const name of ['cm_tenant', 'CM_TENANT', 'Cm_limit']) {
        expect((await sql({ sql: 'SELECT count() FROM rtp_samples', params: { [name]: 'globex' } })).status, name).toBe(400)
      }
      // Memory and time are bounded per query, and the limits do not stay behind for the
      // processor's inserts (chdb keeps settings for its session).
      const heavy = await sql({ sql: 'SELECT length(arrayMap(x -> sipHash64(x), range(300000000))) AS n' })
      expect(heavy.status).toBe(400)
      expect(((await heavy.json()) as { message: string }).message).toMatch(/limit|exceeded|too many|memory|would produce/i)
      const before = pipeline.processor!.stats.messages
      await streamCapture(pipeline, 'chromium-loopback-audio.json', 'room-after-sql')
      expect(pipeline.processor!.stats.messages).toBeGreaterThan(before)
      // Another tenant's analyst cannot use it on this tenant.
      expect((await sql({ sql: 'SELECT 1' }, otherAnalystKey)).status).toBe(403)
      const [still] = await world.query<{ n: string }>('SELECT count() AS n FROM {db}.rtp_samples')
      expect(Number(still!.n)).toBeGreaterThan(100)
    })
  })

  it('logs every request with its key id, route and duration, and never the key', async () => {
    await json(`/v1/tenants/${testTenant}/alerts`)
    const lines = world.logs.filter((l) => l.includes('"api request"')).map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.some((l) => l['keyId'] === 'ana' && l['route'] === '/v1/tenants/:tenant/alerts' && typeof l['ms'] === 'number')).toBe(true)
    expect(lines.some((l) => l['status'] === 401)).toBe(true)
    expect(world.logs.join('\n')).not.toContain(analystKey)
    const metrics = await (await fetch(`${base}/metrics`)).text()
    expect(metrics).toMatch(/callmask_api_request_duration_seconds_count\{route="\/v1\/tenants\/:tenant\/alerts",status="200"\} [1-9]/)
    expect(metrics).not.toContain(analystKey)
  })
})

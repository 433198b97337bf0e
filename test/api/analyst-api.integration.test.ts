// The analyst API over the real pipeline (uWS ingest, nats-server, processor, chdb): a
// degraded call streamed by the SDK, then read through HTTP as an analyst would, with keys
// of each role, bad keys and bad queries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Pipeline } from '../../app/pipeline.ts'
import { hashKey } from '../../lib/key-hash.ts'
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
  })

  it('worst calls, one conference\'s timeline with issues, distributions and active alerts', async () => {
    const worst = await json(`/v1/tenants/${testTenant}/calls/worst?limit=10`)
    expect(worst.rows.map((r) => r['peer_connection_id']).sort()).toEqual(['pc-callee', 'pc-caller'])
    const mos = worst.rows.map((r) => r['mos_p5'] as number)
    expect(mos).toEqual([...mos].sort((a, b) => a - b))
    const timeline = (await (await get(`/v1/tenants/${testTenant}/conferences/room-a/timeline`)).json()) as Record<string, Record<string, unknown>[]>
    expect(timeline['intervals']!.length).toBeGreaterThan(100)
    expect(timeline['issues']!.map((i) => i['issue'])).toContain('video-freeze')
    const histogram = await json(`/v1/tenants/${testTenant}/distributions/mos`)
    const scored = timeline['intervals']!.filter((i) => typeof i['mos'] === 'number').length
    expect(histogram.rows.reduce((sum, b) => sum + Number(b['intervals']), 0)).toBe(scored)
    const alerts = await json(`/v1/tenants/${testTenant}/alerts`)
    expect(alerts.rows.map((a) => a['issue'])).toContain('bandwidth-limitation')
    // Another tenant's data is not there for its own analyst.
    expect((await json('/v1/tenants/globex/alerts', otherAnalystKey)).count).toBe(0)
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

  it('logs every request with its key id, route and duration, and never the key', async () => {
    await json(`/v1/tenants/${testTenant}/alerts`)
    const lines = world.logs.filter((l) => l.includes('"api request"')).map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.some((l) => l['keyId'] === 'ana' && l['route'] === '/v1/tenants/:tenant/alerts' && typeof l['ms'] === 'number')).toBe(true)
    expect(lines.some((l) => l['status'] === 401)).toBe(true)
    expect(world.logs.join('\n')).not.toContain(analystKey)
  })
})

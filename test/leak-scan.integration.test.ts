// The leak scanner over the real pipeline: a raw e-mail and phone number planted into a real
// row (a copy of the newest rtp_samples row, so the materialised views copy them into the
// aggregates too) are found and reported by table, column and detector with a pseudonymised
// sample; the raw values appear nowhere: not in the answer, the logs, the metrics, the audit
// rows. A clean tenant's scan reads rows and finds nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Pipeline } from '../app/pipeline.ts'
import { hashIngestKey } from '../ingest/ingest-keys.ts'
import { hashKey } from '../lib/key-hash.ts'
import type { LeakScanResult } from '../privacy/leak-scan.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { selectReports } from '../sdk/stats-frame.ts'
import { captureFrames, loadCapture } from './support/captures.ts'
import { streamCapture } from './support/stream-capture.ts'
import { createTestWorld, eventually, testKey, testTenant, type TestWorld } from './support/test-pipeline.ts'

const adminKey = 'admin-key-leak-scan-0123456789'
const cleanKey = 'ingest-key-globex-0123456789'
const email = 'anna.schmidt@example.com'
const phone = '+49 176 1234 5678'
const rawForms = [email, phone, '+4917612345678', '17612345678', 'anna.schmidt']

describe('leak scanner (integration)', () => {
  let world: TestWorld
  let pipeline: Pipeline
  const scan = async (tenant: string) => {
    const response = await fetch(`${pipeline.api!.url}/v1/admin/tenants/${tenant}/leak-scan?rows=5000`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } })
    const text = await response.text()
    expect(response.status, text).toBe(200)
    return { text, result: JSON.parse(text) as LeakScanResult }
  }

  beforeAll(async () => {
    world = await createTestWorld()
    pipeline = await world.start({
      apiKeys: [{ id: 'root', role: 'admin', sha256: hashKey(adminKey) }],
      ingestKeys: [
        { id: 'acme', tenant: testTenant, sha256: hashIngestKey(testKey) },
        { id: 'globex', tenant: 'globex', sha256: hashIngestKey(cleanKey) },
      ],
    })
    await streamCapture(pipeline, 'chromium-loopback-audio.json')
    const frames = captureFrames(loadCapture('chromium-loopback-audio.json')).filter((f) => f.peerId === 'caller')
    const client = new CallmaskClient({ url: pipeline.ingest!.url, key: cleanKey })
    await client.connect()
    for (const frame of frames) await client.sendStats({ conferenceId: 'room-g', callId: 'call-g', participantId: 'user-g', peerConnectionId: 'pc-g' }, selectReports(frame.reports), frame.ts)
    await client.waitForAck(undefined, 30_000)
    client.close()
    await eventually(async () => (await world.query<{ n: string }>("SELECT count() AS n FROM {db}.rtp_samples WHERE tenant = 'globex'")).some((r) => Number(r.n) > 0), 60_000, 'globex rows')
  }, 120_000)
  afterAll(async () => world?.close())

  it('a clean tenant: rows scanned, zero findings', async () => {
    const { result } = await scan('globex')
    expect(result.rowsScanned).toBeGreaterThan(0)
    expect(result.tables.map((t) => t.table)).toEqual(expect.arrayContaining(['rtp_samples', 'connection_samples', 'call_stream_state']))
    expect(result.findings).toEqual([])
  })

  it('finds a planted raw e-mail and phone number, reports them pseudonymised, and leaks them nowhere', async () => {
    await world.clickhouse.command({
      query: `INSERT INTO ${world.database}.rtp_samples SELECT * REPLACE ({email:String} AS conference_id, {phone:String} AS display_name)
              FROM ${world.database}.rtp_samples WHERE tenant = {tenant:String} AND interval_state = 'ok' ORDER BY ts DESC LIMIT 1`,
      query_params: { email: `standup ${email}`, phone, tenant: testTenant },
    })
    const { text, result } = await scan(testTenant)
    expect(result.rowsScanned).toBeGreaterThan(0)
    const found = (table: string, column: string, detector: string) => result.findings.find((f) => f.table === table && f.column === column && f.detector === detector)
    expect(found('rtp_samples', 'conference_id', 'email')).toMatchObject({ count: 1, sample: expect.stringMatching(/^p_k1_[A-Za-z0-9_-]{22}$/) })
    expect(found('rtp_samples', 'display_name', 'phone')).toMatchObject({ count: 1, sample: expect.stringMatching(/^p_k1_/) })
    // The views copied the planted row into the aggregates: found there too.
    expect(found('quality_minute_state', 'conference_id', 'email')).toBeDefined()
    expect(result.sampleKind).toBe('pseudonym')

    const metrics = await (await fetch(`${pipeline.api!.url}/metrics`)).text()
    expect(metrics).toMatch(/callmask_leak_scan_findings_total\{table="rtp_samples",column="conference_id",detector="email"\} 1/)
    const audit = await world.query<Record<string, unknown>>("SELECT * FROM {db}.audit_log WHERE operation = 'leak-scan.run' OR tenant = {tenant:String}", { tenant: testTenant })
    expect(audit.filter((a) => a['operation'] === 'leak-scan.run')).toHaveLength(2)
    const places = { response: text, logs: world.logs.join('\n'), metrics, audit: JSON.stringify(audit) }
    for (const [where, content] of Object.entries(places)) {
      for (const form of rawForms) expect(content.includes(form), `${form} in ${where}`).toBe(false)
    }
  })
})

// The record of processing and the privacy notice over the real pipeline (uWS ingest,
// nats-server, processor, chdb) with a policy that differs from the default: displayName
// dropped, tenant acme kept 7 / 60 days. Both are read through the admin API, and the notice
// of the default policy is written beside it to show the policy change is what changed it.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Pipeline } from '../app/pipeline.ts'
import { hashKey } from '../lib/key-hash.ts'
import { defaultPolicyPath, loadPolicy } from '../policy/load-policy.ts'
import type { AdminContext } from '../privacy/admin-context.ts'
import { createAuditLog } from '../privacy/audit-log.ts'
import { classifyColumn, tableRules } from '../privacy/column-classes.ts'
import type { Inventory } from '../privacy/inventory.ts'
import { noticeDocument } from '../privacy/privacy-notice.ts'
import { renderMarkdown } from '../privacy/notice-render.ts'
import { loadConfig } from '../lib/config.ts'
import { createLogger } from '../lib/logger.ts'
import { streamCapture } from './support/stream-capture.ts'
import { createTestWorld, testTenant, type TestWorld } from './support/test-pipeline.ts'

const adminKey = 'admin-key-inventory-0123456789'
const analystKey = 'analyst-key-inventory-0123456789'
const hostileController = 'Example <GmbH> & "Co", Hauptstr. 1 | Berlin'

describe('inventory and privacy notice (integration)', () => {
  let world: TestWorld
  let pipeline: Pipeline
  let policyFile: string
  const get = (path: string, key = adminKey) => fetch(`${pipeline.api!.url}${path}`, { headers: { authorization: `Bearer ${key}` } })

  beforeAll(async () => {
    world = await createTestWorld()
    const policy = JSON.parse(readFileSync(defaultPolicyPath, 'utf8'))
    policy.call.displayName = 'drop'
    policy.tenants = { [testTenant]: { retentionDays: 7, aggregateRetentionDays: 60 } }
    policyFile = join(world.dataDir, 'policy.json')
    writeFileSync(policyFile, JSON.stringify(policy))
    pipeline = await world.start({
      policyFile,
      apiKeys: [
        { id: 'root', role: 'admin', sha256: hashKey(adminKey) },
        { id: 'ana', role: 'analyst', tenant: testTenant, sha256: hashKey(analystKey) },
      ],
      controller: hostileController,
      dpoContact: 'dpo@example.com',
      storageLocation: 'Frankfurt, Germany (EU)',
      subprocessors: [{ name: 'Hosting <script>alert(1)</script>', purpose: 'servers', location: 'Germany' }],
    })
    await streamCapture(pipeline, 'chromium-loopback-audio.json')
  }, 120_000)
  afterAll(async () => world?.close())

  it('classifies every column of every table and view (a new column without a class fails here)', async () => {
    const columns = await world.query<{ table: string; name: string }>('SELECT table, name FROM system.columns WHERE database = {database:String}', { database: world.database })
    const tables = await world.query<{ name: string; create: string }>('SELECT name, create_table_query AS create FROM system.tables WHERE database = {database:String}', { database: world.database })
    expect(columns.length).toBeGreaterThan(300)
    const policy = loadPolicy(policyFile)
    expect(columns.filter((c) => !classifyColumn(c.table, c.name, policy)).map((c) => `${c.table}.${c.name}`)).toEqual([])
    expect(tables.filter((t) => !tableRules.has(t.name)).map((t) => t.name)).toEqual([])
    // The retention a table's rule names is the one its TTL uses.
    for (const { name, create } of tables) {
      const ttl = tableRules.get(name)?.ttl
      if (ttl) expect(create, name).toMatch(new RegExp(`TTL .*${ttl.from}.*toIntervalDay\\(${ttl.days}\\)`))
    }
  })

  it('GET /v1/admin/inventory: classes from the running policy, retention as stored and configured, row counts, keys and streams; audited', async () => {
    // Regression: a request naming a tenant that does not exist left an audit row, and the
    // record then listed that tenant with its retention.
    expect((await get('/v1/admin/tenants/no-such-tenant/retention')).status).toBe(200)
    const response = await get('/v1/admin/inventory')
    expect(response.status).toBe(200)
    const inventory = (await response.json()) as Inventory
    expect(inventory.unclassified).toEqual([])
    const table = (name: string) => inventory.tables.find((t) => t.name === name)!
    const column = (t: string, c: string) => table(t).columns.find((x) => x.name === c)!
    expect(column('rtp_samples', 'participant_id').class).toBe('pseudonymised')
    expect(column('rtp_samples', 'conference_id').class).toBe('detected-and-replaced')
    expect(column('rtp_samples', 'display_name')).toMatchObject({ class: 'dropped-at-ingest', fields: [{ field: 'call.displayName', action: 'drop' }] })
    expect(column('connection_samples', 'local_address_truncated').class).toBe('truncated')
    expect(column('rtp_samples', 'packets_lost').class).toBe('technical')
    expect(column('rtp_samples', 'session_id').class).toBe('pseudonymised')
    expect(column('call_summaries', 'participant_id').class).toBe('pseudonymised')
    expect(table('call_summaries').kind).toBe('view')
    expect(table('call_stream_mv').kind).toBe('materialized view')
    // Row counts per tenant are the stored ones.
    const [stored] = await world.query<{ n: string }>('SELECT count() AS n FROM {db}.rtp_samples WHERE tenant = {tenant:String}', { tenant: testTenant })
    expect(Number(stored!.n)).toBeGreaterThan(0)
    expect(table('rtp_samples').rows).toEqual({ total: Number(stored!.n), byTenant: { [testTenant]: Number(stored!.n) } })
    expect(table('rtp_samples').storedRetention).toEqual([{ tenant: testTenant, retentionDays: 7, aggregateRetentionDays: 60, rows: Number(stored!.n) }])
    expect(table('call_stream_state').storedRetention![0]).toMatchObject({ tenant: testTenant, aggregateRetentionDays: 60 })
    expect(inventory.retention.tenants).toEqual([{ tenant: testTenant, rawDays: 7, aggregateDays: 60, rawSource: 'policy', aggregateSource: 'policy' }])
    expect(inventory.retention.defaults).toEqual({ rawDays: 30, aggregateDays: 395, auditDays: 730 })
    expect(inventory.droppedAtIngest.fields).toEqual(expect.arrayContaining(['call.displayName', 'local-candidate.usernameFragment']))
    expect(inventory.droppedAtIngest.reportTypes).toEqual(['certificate'])
    expect(inventory.keys.tenants).toEqual([{ tenant: testTenant, current: 1, versions: [1], destroyed: [] }])
    // Regression: the record said "history 1" and "purges the entry" after the keyring moved to
    // history 64 with each superseded revision erased (README "Crypto-shredding").
    expect(inventory.keys.where).toContain('history 64, each superseded revision overwritten at once')
    expect(inventory.keys.kept).toContain('tombstone without key material')
    const frames = inventory.rawFrames.find((s) => s.name === 'CALLMASK')!
    expect(frames).toMatchObject({ maxAgeHours: 168, messages: 0 })
    expect(inventory.rawFrames.find((s) => s.name === 'CALLMASK_DLQ')!.maxAgeHours).toBe(168)
    expect(inventory.auditLog.retentionDays).toBe(730)

    const text = await (await get('/v1/admin/inventory?format=text')).text()
    expect(text).toContain('callmask record of processing (GDPR Art. 30)')
    expect(text).toMatch(/display_name\s+dropped-at-ingest/)
    expect(text).toContain(`tenant ${testTenant}: raw 7 days (policy), aggregates 60 days (policy)`)
    expect(text).toContain(`stored retention: tenant ${testTenant}: retention_days 7, aggregate_retention_days 60`)

    expect((await get('/v1/admin/inventory', analystKey)).status).toBe(403)
    const audit = await world.query<{ details: string; result: string }>("SELECT details, result FROM {db}.audit_log WHERE operation = 'inventory.read'")
    expect(audit).toHaveLength(2)
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ tables: inventory.tables.length, unclassified: 0, tenants: 1 })
  })

  it('GET /v1/admin/privacy-notice: the policy change and the tenant retention show up; HTML escapes everything; audited', async () => {
    const markdown = await (await get('/v1/admin/privacy-notice?format=markdown')).text()
    for (const section of ['Who is responsible', 'What is collected', 'Purposes and legal basis', 'How long the data is kept', 'Where the data is stored', 'Processors and sub-processors', 'Your rights and how to exercise them']) {
      expect(markdown).toContain(`## ${section}`)
    }
    expect(markdown).toMatch(/\| displayName \| the name shown for you in the call \| not stored \|/)
    expect(markdown).toContain(`| ${testTenant} | 7 days | 60 days |`)
    expect(markdown).toContain('Frankfurt, Germany (EU)')
    expect(markdown).toContain('dpo@example.com')
    expect(markdown).toContain('Example \\<GmbH\\> & "Co", Hauptstr. 1 \\| Berlin')

    // The same configuration under the default policy: pseudonymised, default retention.
    const config = loadConfig({}, { dataDir: world.dataDir, clickhouseDatabase: world.database, controller: hostileController, ingestKeys: [{ tenant: testTenant, sha256: '0'.repeat(64) }] })
    const defaults: AdminContext = { clickhouse: world.clickhouse, database: world.database, config, policy: loadPolicy(), audit: createAuditLog(world.clickhouse, world.database, 730), log: createLogger('silent') }
    const before = renderMarkdown(await noticeDocument(defaults))
    expect(before).toMatch(/\| displayName \| the name shown for you in the call \| replaced by a pseudonym/)
    expect(before).toContain(`| ${testTenant} | 30 days | 395 days |`)
    expect(before).not.toContain(`| ${testTenant} | 7 days | 60 days |`)

    const html = await (await get('/v1/admin/privacy-notice?format=html')).text()
    expect(html).toContain('Example &lt;GmbH&gt; &amp; &quot;Co&quot;, Hauptstr. 1 | Berlin')
    expect(html).toContain('Hosting &lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).not.toContain('<script>')
    expect(html).not.toContain('<GmbH>')
    const onlyTenant = await (await get(`/v1/admin/privacy-notice?tenant=${testTenant}`)).text()
    expect(onlyTenant).toContain(`| ${testTenant} | 7 days | 60 days |`)

    const audit = await world.query<{ details: string }>("SELECT details FROM {db}.audit_log WHERE operation = 'notice.write' ORDER BY ts")
    expect(audit.map((a) => JSON.parse(a.details).format)).toEqual(['markdown', 'html', 'markdown'])
  })
})

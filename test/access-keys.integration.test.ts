// Keys for people over the real pipeline (uWS ingest, nats-server with callmask's users,
// chdb, the HTTP admin API): created at run time, printed once, stored hashed, revoked or
// expired with effect on open sessions within seconds and on the API's next request.
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import { headers } from '@nats-io/nats-core'
import { connect } from '@nats-io/transport-node'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Pipeline } from '../app/pipeline.ts'
import { createIngestKeyring, type IngestKeyring } from '../ingest/ingest-keys.ts'
import { createIngestMetrics } from '../ingest/ingest-metrics.ts'
import { createFrameCopier } from '../ingest/frame-copies.ts'
import { createJetStreamPublisher, type JetStreamPublisher } from '../ingest/jetstream-publisher.ts'
import { createTenantLimits } from '../ingest/rate-limits.ts'
import { createSession } from '../ingest/session-handler.ts'
import { inboxPrefixOf } from '../lib/nats-credentials.ts'
import { decodeFrame, encodeFrame } from '../lib/wire-codec.ts'
import { createKeyring, openKeyringBucket } from '../keyring/keyring.ts'
import { loadMasterKey } from '../keyring/master-key.ts'
import { accessKeysBucket, accessKeysStream, createAccessKeyReader } from '../lib/access-key-store.ts'
import { closeCodes, wireErrorCodes } from '../lib/errors.ts'
import { hashKey } from '../lib/key-hash.ts'
import { loadConfig } from '../lib/config.ts'
import { loadPolicy } from '../policy/load-policy.ts'
import { revokeTenantKeys } from '../privacy/access-keys.ts'
import type { AdminContext } from '../privacy/admin-context.ts'
import { createAuditLog } from '../privacy/audit-log.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { rawHello, rawSession } from './support/raw-session.ts'
import { captureLogs, createTestWorld, eventually, testKey, testTenant, type TestWorld } from './support/test-pipeline.ts'

const adminKey = 'admin-key-people-0123456789'
const call = { conferenceId: 'room-k', participantId: 'p-k', peerConnectionId: 'pc-k' }

interface Created {
  id: string
  key: string
  role: string
  tenant?: string
  status: string
  fingerprint: string
  expiresAt?: string
}

describe('keys for people (integration)', () => {
  let world: TestWorld
  let pipeline: Pipeline
  let base: string
  const http = (method: string, path: string, body?: unknown, key: string = adminKey) =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    })
  async function create(body: Record<string, unknown>): Promise<Created> {
    const response = await http('POST', '/v1/admin/keys', body)
    expect(response.status, JSON.stringify(body)).toBe(201)
    const created = (await response.json()) as Created
    everyKey.push(created.key)
    return created
  }
  const everyKey: string[] = []
  const revoke = (id: string) => http('DELETE', `/v1/admin/keys/${id}`)

  beforeAll(async () => {
    world = await createTestWorld()
    pipeline = await world.start({ apiKeys: [{ id: 'root', role: 'admin', sha256: hashKey(adminKey) }] })
    base = pipeline.api!.url
  }, 60_000)
  afterAll(async () => world?.close())

  it('an ingest key streams; revoked, its open sessions close within seconds and a new hello is refused', async () => {
    const created = await create({ role: 'ingest', tenant: testTenant, label: 'web widget' })
    expect(created).toMatchObject({ role: 'ingest', tenant: testTenant, status: 'active', key: expect.stringMatching(/^cmk_[a-z0-9]{12}_/) })
    // Used at once (the ingest cache may not have heard of it yet: it asks JetStream).
    const client = new CallmaskClient({ url: pipeline.ingest!.url, key: created.key, reconnect: false })
    await client.connect()
    await client.sendEvent(call, 'join')
    await client.waitForAck()
    await eventually(async () => {
      const [row] = await world.query<{ n: string }>("SELECT count() AS n FROM {db}.call_events WHERE tenant = {t:String} AND name = 'join'", { t: testTenant })
      return Number(row?.n) >= 1
    }, 15_000, 'the event stored')
    const raw = await rawSession(pipeline.ingest!.url)
    raw.send(rawHello(created.key))
    await raw.next('ack')

    const revokedAt = Date.now()
    const response = await revoke(created.id)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ id: created.id, revoked: true, alreadyRevoked: false })
    expect(await raw.next('error')).toMatchObject({ code: wireErrorCodes.keyRevoked, retryable: false, message: expect.stringContaining(`key ${created.id} was revoked`) })
    expect(await closeCode(raw)).toBe(closeCodes.keyRevoked)
    const closeMs = Date.now() - revokedAt
    expect(closeMs).toBeLessThan(5000)
    await eventually(() => client.errors.some((e) => e.code === wireErrorCodes.keyRevoked), 5000, 'the client told')
    process.stdout.write(`revocation to session close: ${closeMs} ms\n`)

    const again = await rawSession(pipeline.ingest!.url)
    again.send(rawHello(created.key))
    expect(await again.next('error')).toMatchObject({ code: wireErrorCodes.keyRevoked })
    expect(await closeCode(again)).toBe(closeCodes.keyRevoked)
    // Revoking twice changes nothing; a static key cannot be revoked here, an unknown id is 404.
    expect(await (await revoke(created.id)).json()).toMatchObject({ alreadyRevoked: true })
    const fixed = await revoke('test')
    expect(fixed.status).toBe(409)
    expect(((await fixed.json()) as { message: string }).message).toContain('CALLMASK_INGEST_KEYS')
    expect((await revoke('nosuchkey000')).status).toBe(404)
    client.close()
  })

  it('an analyst key reads its tenant, gets 403 on another and on admin routes, and 401 on the request after its revocation', async () => {
    const analyst = await create({ role: 'analyst', tenant: testTenant })
    expect((await http('GET', `/v1/tenants/${testTenant}/alerts`, undefined, analyst.key)).status).toBe(200)
    expect((await http('GET', '/v1/tenants/globex/alerts', undefined, analyst.key)).status).toBe(403)
    expect((await http('GET', '/v1/admin/keys', undefined, analyst.key)).status).toBe(403)
    expect((await http('POST', '/v1/admin/keys', { role: 'admin' }, analyst.key)).status).toBe(403)
    // An ingest key is no API key; a tampered secret neither.
    const ingest = await create({ role: 'ingest', tenant: testTenant })
    expect((await http('GET', `/v1/tenants/${testTenant}/alerts`, undefined, ingest.key)).status).toBe(401)
    expect((await http('GET', `/v1/tenants/${testTenant}/alerts`, undefined, analyst.key.slice(0, -1) + (analyst.key.endsWith('A') ? 'B' : 'A'))).status).toBe(401)

    expect((await revoke(analyst.id)).status).toBe(200)
    const refused = await http('GET', `/v1/tenants/${testTenant}/alerts`, undefined, analyst.key)
    expect(refused.status).toBe(401)
    expect(await refused.json()).toEqual({ error: 'CALLMASK_ERR_UNAUTHORIZED', message: expect.stringMatching(new RegExp(`^this API key can no longer be used: key ${analyst.id} was revoked at `)) })

    // A run-time admin key manages keys like a static one.
    const admin = await create({ role: 'admin', label: 'second officer' })
    expect(admin.tenant).toBeUndefined()
    expect((await http('GET', '/v1/admin/keys', undefined, admin.key)).status).toBe(200)
  })

  it('a separate API process (role api, NATS user callmask-api) accepts a run-time key and refuses it after the revocation', async () => {
    const apiOnly = await world.start({ role: 'api', apiKeys: [{ id: 'root', role: 'admin', sha256: hashKey(adminKey) }] })
    const analyst = await create({ role: 'analyst', tenant: testTenant })
    const read = () => fetch(`${apiOnly.api!.url}/v1/tenants/${testTenant}/alerts`, { headers: { authorization: `Bearer ${analyst.key}` } })
    expect((await read()).status).toBe(200)
    // With callmask's NATS admin user and the master key (the test world gives both), role api
    // runs the privacy operations too.
    const created = await fetch(`${apiOnly.api!.url}/v1/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: '{"role":"admin"}' })
    expect(created.status).toBe(201)
    expect((await revoke(analyst.id)).status).toBe(200)
    expect((await read()).status).toBe(401)
    await apiOnly.close()
  })

  it('refuses what a key may not be: a tenant on an admin key, origins on an analyst key, a past expiry', async () => {
    for (const [body, text] of [
      [{ role: 'admin', tenant: testTenant }, 'admin keys belong to no tenant'],
      [{ role: 'analyst' }, 'analyst keys need a tenant'],
      [{ role: 'analyst', tenant: testTenant, origins: ['https://a.example'] }, 'for ingest keys only'],
      [{ role: 'ingest', tenant: testTenant, origins: ['https://a.example/'] }, 'no path'],
      [{ role: 'ingest', tenant: testTenant, expiresAt: new Date(Date.now() - 1000).toISOString() }, 'in the future'],
      [{ role: 'ingest', tenant: testTenant, key: 'chosen-by-me' }, 'must NOT have additional properties'],
    ] as const) {
      const response = await http('POST', '/v1/admin/keys', body)
      expect(response.status, JSON.stringify(body)).toBe(400)
      expect(((await response.json()) as { message: string }).message).toContain(text)
    }
  })

  it('expiry refuses: an open session is closed and the API refuses the key once the time has come', async () => {
    const expiresAt = new Date(Date.now() + 3000).toISOString()
    const ingest = await create({ role: 'ingest', tenant: testTenant, expiresAt })
    const analyst = await create({ role: 'analyst', tenant: testTenant, expiresAt })
    const raw = await rawSession(pipeline.ingest!.url)
    raw.send(rawHello(ingest.key))
    await raw.next('ack')
    expect((await http('GET', `/v1/tenants/${testTenant}/alerts`, undefined, analyst.key)).status).toBe(200)

    expect(await closeCode(raw, 10_000)).toBe(closeCodes.keyRevoked)
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt))
    expect(raw.frames.find((f) => f['type'] === 'error')).toMatchObject({ code: wireErrorCodes.keyRevoked, message: expect.stringContaining(`expired at ${expiresAt}`) })
    const refused = await http('GET', `/v1/tenants/${testTenant}/alerts`, undefined, analyst.key)
    expect(refused.status).toBe(401)
    expect(((await refused.json()) as { message: string }).message).toContain(`key ${analyst.id} expired at ${expiresAt}`)
    const listed = (await (await http('GET', `/v1/admin/keys?status=expired`)).json()) as { keys: { id: string }[] }
    expect(listed.keys.map((k) => k.id)).toEqual(expect.arrayContaining([ingest.id, analyst.id]))
  }, 20_000)

  it('the list shows every key, static ones as not revocable, and never a key or its whole hash', async () => {
    const created = await create({ role: 'ingest', tenant: 'globex', origins: ['https://app.globex.example'], requireOrigin: true, label: 'globex site' })
    const response = await http('GET', '/v1/admin/keys')
    const text = await response.text()
    const { keys, count } = JSON.parse(text) as { keys: Record<string, unknown>[]; count: number }
    expect(count).toBe(keys.length)
    expect(keys.find((k) => k['id'] === created.id)).toMatchObject({
      source: 'runtime',
      revocable: true,
      role: 'ingest',
      tenant: 'globex',
      origins: ['https://app.globex.example'],
      requireOrigin: true,
      label: 'globex site',
      status: 'active',
      createdBy: 'root',
      fingerprint: hashKey(created.key).slice(0, 8),
    })
    expect(keys.filter((k) => k['source'] === 'static').map((k) => [k['id'], k['role'], k['revocable']])).toEqual([
      ['test', 'ingest', false],
      ['root', 'admin', false],
    ])
    expect(text).not.toContain(created.key)
    expect(text).not.toContain(hashKey(created.key))
    expect(text).not.toMatch(/"(key|sha256)"/)
    const filtered = (await (await http('GET', '/v1/admin/keys?tenant=globex&role=ingest')).json()) as { keys: { tenant: string; role: string }[] }
    expect(filtered.keys.length).toBeGreaterThan(0)
    expect(filtered.keys.every((k) => k.tenant === 'globex' && k.role === 'ingest')).toBe(true)

    // The origin list holds on the wire: another site, or no Origin at all, is refused.
    const elsewhere = await rawSessionWithOrigin('https://evil.example')
    elsewhere.send(rawHello(created.key))
    expect(await elsewhere.next('error')).toMatchObject({ code: wireErrorCodes.badKey })
    const allowed = await rawSessionWithOrigin('https://app.globex.example')
    allowed.send(rawHello(created.key))
    await allowed.next('ack')
    const none = await rawSession(pipeline.ingest!.url)
    none.send(rawHello(created.key))
    expect(await none.next('error')).toMatchObject({ code: wireErrorCodes.badKey })
  })

  async function rawSessionWithOrigin(origin: string) {
    // ws sends `Origin` only when asked; the raw-session helper sends none.
    const { default: WebSocket } = await import('ws')
    const { Packr, Unpackr } = await import('msgpackr')
    const packr = new Packr({ useRecords: false })
    const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true })
    const socket = new WebSocket(pipeline.ingest!.url, 'callmask.v1.msgpack', { origin })
    const frames: Record<string, unknown>[] = []
    socket.on('message', (data: Buffer) => frames.push(unpackr.unpack(data) as Record<string, unknown>))
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
    return {
      send: (frame: unknown) => socket.send(packr.pack(frame)),
      async next(type: string) {
        await eventually(() => frames.some((f) => f['type'] === type), 5000, `a ${type} frame`)
        return frames.find((f) => f['type'] === type)!
      },
    }
  }

  it('the bucket holds only hashes: every stored value is scanned for the raw key', async () => {
    const created = await create({ role: 'analyst', tenant: testTenant, label: 'scan me' })
    const nc = await connect(world.natsOptions('admin'))
    const jsm = await jetstreamManager(nc)
    const info = await jsm.streams.info(accessKeysStream)
    const values: string[] = []
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const message = await jsm.streams.getMessage(accessKeysStream, { seq }).catch(() => null)
      if (message) values.push(`${message.subject} ${message.header?.toString() ?? ''} ${new TextDecoder().decode(message.data)}`)
    }
    // The entry exists and carries the hash...
    const entry = values.find((v) => v.includes(`key.${created.id} `))
    expect(entry).toBeDefined()
    expect(entry).toContain(hashKey(created.key))
    expect(values.length).toBeGreaterThanOrEqual(5)
    // ...and no stored byte is a key: not this one, not the secret part of any created today.
    for (const value of values) {
      expect(value).not.toContain(created.key)
      expect(value).not.toContain(created.key.slice(`cmk_${created.id}_`.length))
    }
    await nc.close()
  })

  it("ingest's and api's NATS users read entries but cannot write, delete or consume the bucket", async () => {
    const created = await create({ role: 'ingest', tenant: testTenant })
    for (const role of ['ingest', 'api'] as const) {
      const nc = await connect(world.natsOptions(role))
      expect(await (await createAccessKeyReader(nc)).get(created.id)).toMatchObject({ id: created.id, sha256: hashKey(created.key) })
      const js = jetstream(nc, { checkAPI: false })
      const forged = JSON.stringify({ v: 1, id: 'forgedforged', sha256: hashKey('mine'), role: 'admin', createdAt: '', createdBy: role })
      await expect(js.publish(`$KV.${accessKeysBucket}.key.forgedforged`, forged, { timeout: 2000 })).rejects.toThrow(/Permissions Violation/)
      await expect(js.publish(`$KV.${accessKeysBucket}.key.${created.id}`, '', { headers: kvDelete(), timeout: 2000 })).rejects.toThrow(/Permissions Violation/)
      const jsm = await jetstreamManager(nc, { checkAPI: false })
      await expect(jsm.streams.purge(accessKeysStream)).rejects.toThrow(/Permissions Violation/)
      await expect(jsm.streams.deleteMessage(accessKeysStream, 1)).rejects.toThrow(/Permissions Violation/)
      await expect(jsm.consumers.add(accessKeysStream, { durable_name: 'copy', deliver_subject: 'callmask.frames.acme' })).rejects.toThrow(/Permissions Violation/)
      await expect(jsm.streams.update(accessKeysStream, { max_msgs_per_subject: 5 })).rejects.toThrow(/Permissions Violation/)
      await nc.close()
    }
    const admin = await connect(world.natsOptions('admin'))
    const kv = await new Kvm(admin).open(accessKeysBucket)
    expect(await kv.get('key.forgedforged')).toBeNull()
    expect((await kv.get(`key.${created.id}`))?.operation).toBe('PUT')
    await admin.close()
    // The forged admin key is refused by the API.
    expect((await http('GET', '/v1/admin/keys', undefined, 'mine')).status).toBe(401)
  })

  it('audits every create and revoke with the key id, never the key', async () => {
    const created = await create({ role: 'analyst', tenant: 'globex' })
    await revoke(created.id)
    const rows = await world.query<{ operation: string; target: string; tenant: string; key_id: string; role: string; details: string; status: number }>(
      "SELECT operation, target, tenant, key_id, role, details, status FROM {db}.audit_log WHERE target = {id:String} AND operation LIKE 'keys.%' ORDER BY ts",
      { id: created.id },
    )
    expect(rows.map((r) => [r.operation, r.tenant, r.key_id, r.role, r.status, JSON.parse(r.details).role])).toEqual([
      ['keys.create', 'globex', 'root', 'admin', 201, 'analyst'],
      ['keys.revoke', 'globex', 'root', 'admin', 200, 'analyst'],
    ])
    const all = await world.query<Record<string, unknown>>('SELECT * FROM {db}.audit_log')
    expect(all.length).toBeGreaterThan(rows.length)
    const dump = JSON.stringify(all)
    expect(dump).not.toContain(created.key)
    expect(dump).not.toContain(hashKey(created.key))
    expect(dump).not.toContain(adminKey)
  })

  it('logs no key: not one created in this file', () => {
    expect(everyKey.length).toBeGreaterThan(10)
    expect(world.logs.some((line) => line.includes('access key created'))).toBe(true)
    const logs = world.logs.join('\n')
    for (const key of everyKey) expect(logs).not.toContain(key.slice(-43))
  })

  it('revokeTenantKeys revokes every run-time key of one tenant and closes its sessions; other tenants keep theirs', async () => {
    const first = await create({ role: 'ingest', tenant: 'initech' })
    const second = await create({ role: 'analyst', tenant: 'initech' })
    const other = await create({ role: 'ingest', tenant: testTenant })
    const session = await rawSession(pipeline.ingest!.url)
    session.send(rawHello(first.key))
    await session.next('ack')

    const nc = await connect(world.natsOptions('admin'))
    const config = loadConfig({}, { clickhouseDatabase: world.database, masterKey: world.masterKey })
    const admin: AdminContext = {
      clickhouse: world.clickhouse,
      database: world.database,
      config,
      policy: loadPolicy(undefined),
      audit: createAuditLog(world.clickhouse, world.database, 30),
      log: captureLogs().log,
      nats: { nc, keyring: createKeyring({ kv: await openKeyringBucket(nc), masterKey: loadMasterKey({ env: world.masterKey }) }) },
    }
    expect(await revokeTenantKeys(admin, { keyId: 'erasure-test', role: 'admin' }, 'initech')).toBe(2)
    expect(await revokeTenantKeys(admin, { keyId: 'erasure-test', role: 'admin' }, 'initech')).toBe(0)
    expect(await closeCode(session)).toBe(closeCodes.keyRevoked)
    expect((await http('GET', '/v1/tenants/initech/alerts', undefined, second.key)).status).toBe(401)
    const still = await rawSession(pipeline.ingest!.url)
    still.send(rawHello(other.key))
    await still.next('ack')
    const listed = (await (await http('GET', '/v1/admin/keys?tenant=initech')).json()) as { keys: { status: string; revokedBy: string }[] }
    expect(listed.keys.map((k) => [k.status, k.revokedBy])).toEqual([
      ['revoked', 'erasure-test'],
      ['revoked', 'erasure-test'],
    ])
    await nc.close()
    // The static test key is untouched by all of this.
    const fixed = await rawSession(pipeline.ingest!.url)
    fixed.send(rawHello(testKey))
    await fixed.next('ack')
  })
})

/** The close code, or -1 when the session is still open after `ms`. */
const closeCode = (session: { closed: Promise<{ code: number }> }, ms = 5000) =>
  Promise.race([session.closed.then((c) => c.code), new Promise<number>((resolve) => setTimeout(() => resolve(-1), ms))])

function kvDelete() {
  const h = headers()
  h.set('KV-Operation', 'DEL')
  return h
}

// Regression guard for the one asynchronous hello: a run-time key ingest's copy has not seen
// is read from JetStream first, and the frames the client sent right behind its hello wait
// for the answer instead of being taken for a first frame. The key check is held back here
// by a gate around the real keyring; everything else is ingest's own, on the real NATS.
describe('frames sent while a hello waits for its key check (integration)', () => {
  let world: TestWorld
  beforeAll(async () => {
    world = await createTestWorld()
  })
  afterAll(async () => world?.close())

  /** A session on the real NATS whose key check waits for `open()`; `published` is every payload it published. */
  async function sessionWithHeldKeyCheck() {
    const nc = await connect(world.natsOptions('ingest'))
    const real = createJetStreamPublisher(nc, { timeoutMs: 5000, inboxPrefix: inboxPrefixOf('ingest') })
    const published: Uint8Array[] = []
    const publisher: JetStreamPublisher = {
      publish: (subject, data, fields) => (published.push(data), real.publish(subject, data, fields)),
      get inFlight() {
        return real.inFlight
      },
      get connected() {
        return real.connected
      },
      close: () => real.close(),
    }
    const keyring = createIngestKeyring([{ id: 'test', tenant: testTenant, sha256: hashKey(testKey) }])
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const keys: IngestKeyring = { authenticate: (key, origin) => gate.then(() => keyring.authenticate(key, origin)) }
    const sent: Record<string, unknown>[] = []
    const sink = { closed: false, send: (bytes: Uint8Array | string) => void sent.push(decodeFrame(bytes as Uint8Array, 'msgpack') as Record<string, unknown>), close: () => undefined }
    const session = createSession(sink, 'msgpack', undefined, {
      publisher,
      keys,
      metrics: createIngestMetrics(new Registry()),
      log: captureLogs().log,
      limits: { maxFrameBytes: 262_144, helloTimeoutMs: 5000, maxInFlight: 100 },
      tenantLimits: createTenantLimits({ framesPerSecondPerSession: 100, framesPerSecondPerTenant: 100, maxSessionsPerTenant: 10 }),
    })
    const close = async () => {
      session.onClose()
      real.close()
      await nc.close()
    }
    return { session, sent, published, open, close }
  }
  const frame = (value: object) => encodeFrame(value, 'msgpack') as Uint8Array
  const allAcked = (sent: Record<string, unknown>[], seq: number) => eventually(() => sent.some((f) => f['type'] === 'ack' && f['seq'] === seq), 5000, `acked up to ${seq}`)

  it('are kept in order and processed once the key is accepted', async () => {
    const { session, sent, open, close } = await sessionWithHeldKeyCheck()
    session.onMessage(frame(rawHello(testKey, 'pending-auth-1')))
    for (const seq of [1, 2, 3]) session.onMessage(frame({ type: 'event', seq, ts: Date.now(), call, name: 'join' }))
    await new Promise((r) => setTimeout(r, 50))
    expect(sent).toEqual([]) // nothing answered, nothing refused while the key is checked
    open()
    await allAcked(sent, 3)
    expect(sent.filter((f) => f['type'] === 'error')).toEqual([])
    await close()
  })

  // uWS's frames are cut from shared 256 KiB slabs (ingest/frame-copies.ts): a 100-byte frame
  // kept while the key is read kept its whole slab, and every frame cut after it. Measured with
  // bench/slab-pinning.ts (nats-server paused, 200 sessions with unknown run-time keys, 8 small
  // frames each, 256 KiB refused between): 288 MiB of ArrayBuffers held before, 0 after.
  it('are kept as copies of their own, not views of the slab they were cut from', async () => {
    const { session, sent, published, open, close } = await sessionWithHeldKeyCheck()
    const copy = createFrameCopier()
    const cut = (bytes: Uint8Array) => copy(Uint8Array.from(bytes).buffer)
    session.onMessage(cut(frame(rawHello(testKey, 'pending-auth-2'))))
    const originals = [1, 2, 3].map((seq) => frame({ type: 'event', seq, ts: Date.now(), call, name: 'join' }))
    for (const original of originals) {
      const view = cut(original)
      expect(view.buffer.byteLength).toBeGreaterThan(view.byteLength) // a view of a slab
      session.onMessage(view)
    }
    open()
    await allAcked(sent, 3)
    expect(published.map((data) => data.buffer.byteLength)).toEqual(published.map((data) => data.byteLength))
    expect(published.map((data) => [...data])).toEqual(originals.map((data) => [...data]))
    await close()
  })

  it('are kept up to twice the frame size limit in bytes; beyond, the client is told to resend', async () => {
    const { session, sent, open, close } = await sessionWithHeldKeyCheck()
    session.onMessage(frame(rawHello(testKey, 'pending-auth-3')))
    // Three frames of ~200 KB (under the 256 KiB limit each): the third passes 512 KiB.
    const padded = (seq: number) => frame({ type: 'event', seq, ts: Date.now(), call, name: 'join', data: { pad: 'x'.repeat(200_000) } })
    for (const seq of [1, 2, 3]) session.onMessage(padded(seq))
    const refused = sent.filter((f) => f['type'] === 'error')
    expect(refused).toEqual([expect.objectContaining({ code: wireErrorCodes.backpressure, seq: 3, retryable: true })])
    open()
    // The two kept frames are processed (acked or refused by the schema), the third is not.
    await eventually(() => sent.length > refused.length, 5000, 'an answer once the key is read')
    await close()
  })
})

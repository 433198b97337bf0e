// Regression: embedded mode ran NATS without authentication, so any local process could read
// raw frames, read the sealed keyring and publish forged frames for any tenant. Now every
// role has its own user with least privileges (lib/nats-credentials.ts); these tests use the
// embedded pipeline as `npm start` runs it and try what each user must not do.
import { jetstreamManager, AckPolicy } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import { connect } from '@nats-io/transport-node'
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../lib/config.ts'
import { deadLetterStream, ensureStreams, framesStream } from '../lib/jetstream-streams.ts'
import { embeddedNatsFiles, loadNatsCredentials } from '../lib/nats-connection.ts'
import { inboxPrefixOf, type NatsCredentials, type NatsRole } from '../lib/nats-credentials.ts'
import { developmentIngestKey, startPipeline, type Pipeline } from '../app/pipeline.ts'
import { keyringBucket } from '../keyring/keyring.ts'
import { runKeysCommand } from '../keyring/keys-command.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { captureLogs, createTestWorld, eventually, type TestWorld } from './support/test-pipeline.ts'

const call = { conferenceId: 'room-1', participantId: 'p-1', peerConnectionId: 'pc-1' }

describe('NATS credentials in embedded mode (integration)', () => {
  let world: TestWorld // only for its chdb: the pipeline below runs its own nats-server
  let pipeline: Pipeline
  let dataDir: string
  let credentials: NatsCredentials
  const options = (role: NatsRole) => ({ servers: pipeline.natsUrl, user: credentials[role].user, pass: credentials[role].password, inboxPrefix: inboxPrefixOf(role) })

  beforeAll(async () => {
    world = await createTestWorld()
    dataDir = mkdtempSync(join(tmpdir(), 'callmask-embedded-'))
    const config = loadConfig({}, { dataDir, ingestPort: 0, statusPort: 0, apiPort: 0, clickhouseDatabase: world.database, batchMaxMs: 100 })
    pipeline = await startPipeline(config, captureLogs().log, { clickhouse: world.clickhouse })
    credentials = loadNatsCredentials(embeddedNatsFiles(dataDir).credentials) as NatsCredentials
  })
  afterAll(async () => {
    await pipeline?.close()
    await world?.close()
  })

  it('works end to end with its least-privileged users', async () => {
    const client = new CallmaskClient({ url: pipeline.ingest!.url, key: developmentIngestKey })
    await client.connect()
    await client.sendEvent(call, 'join', undefined, Date.now())
    await client.waitForAck()
    client.close()
    await eventually(async () => {
      const [row] = await world.query<{ n: string }>('SELECT count() AS n FROM {db}.call_events')
      return Number(row?.n) === 1
    }, 15_000, 'the event stored')
  })

  it('keeps the credentials 0600 and the server log in a file, not a pipe', () => {
    const files = embeddedNatsFiles(dataDir)
    expect(statSync(files.credentials).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(files.connection, 'utf8'))).toEqual({ url: pipeline.natsUrl, credentialsFile: files.credentials })
    const pid = Number(readFileSync(files.pid, 'utf8'))
    expect(readlinkSync(`/proc/${pid}/fd/2`)).toBe(files.log)
    expect(readFileSync(files.log, 'utf8')).toContain('Server is ready')
  })

  it('refuses a connection without credentials', async () => {
    await expect(connect({ servers: pipeline.natsUrl, reconnect: false })).rejects.toThrow(/Authorization Violation/)
  })

  it("ingest's user can neither read the frames stream nor the keyring", async () => {
    const nc = await connect(options('ingest'))
    const jsm = await jetstreamManager(nc, { checkAPI: false })
    await expect(jsm.streams.info(framesStream)).rejects.toThrow(/Permissions Violation/)
    await expect(jsm.consumers.add(framesStream, { durable_name: 'thief', ack_policy: AckPolicy.None })).rejects.toThrow(/Permissions Violation/)
    await expect(jsm.streams.getMessage(framesStream, { seq: 1 })).rejects.toThrow(/Permissions Violation/)
    const kv = await new Kvm(nc).open(keyringBucket)
    await expect(kv.get('tenant.dev')).rejects.toThrow(/Permissions Violation/)
    // Nor listen to the frames as they are published, nor to another role's inbox.
    const errors: string[] = []
    void (async () => {
      for await (const s of nc.status()) if (s.type === 'error') errors.push(String((s as { error?: Error }).error?.message))
    })()
    nc.subscribe('callmask.frames.>')
    nc.subscribe(`${inboxPrefixOf('processor')}.>`)
    await nc.flush()
    await eventually(() => errors.filter((e) => /Permissions Violation for Subscription/.test(e)).length === 2, 5000, 'both subscriptions refused')
    await nc.close()
  })

  it("the processor's user reads the keyring but cannot write it; admin can", async () => {
    const processor = await connect(options('processor'))
    const readable = await new Kvm(processor).open(keyringBucket)
    expect((await readable.get('tenant.dev'))?.operation).toBe('PUT')
    await expect(readable.put('tenant.dev', new Uint8Array([1]))).rejects.toThrow(/Permissions Violation/)
    await expect(readable.delete('tenant.dev')).rejects.toThrow(/Permissions Violation/)

    // Regression: the processor could update the dead-letter stream with a republish rule
    // into the keyring's subjects (writing keys) or the frames' (forging frames).
    const jsm = await jetstreamManager(processor, { checkAPI: false })
    await expect(jsm.streams.update(deadLetterStream, { republish: { src: 'callmask.dlq.evil', dest: '$KV.callmask_keyring.evil' } })).rejects.toThrow(/Permissions Violation/)
    await expect(jsm.streams.update(framesStream, { max_age: 0 })).rejects.toThrow(/Permissions Violation/)
    await expect(jsm.consumers.add(framesStream, { durable_name: 'thief', ack_policy: AckPolicy.None })).rejects.toThrow(/Permissions Violation/)

    // And a stream an operator (or an attacker with admin) gave such a rule stops callmask
    // from using it, instead of being merged silently.
    const admin = await connect(options('admin'))
    const adminJsm = await jetstreamManager(admin)
    await adminJsm.streams.update(deadLetterStream, { republish: { src: 'callmask.dlq.evil', dest: 'elsewhere.evil' } })
    await expect(ensureStreams(admin, { duplicateWindowS: 900, maxAgeH: 168 })).rejects.toThrow(/CALLMASK_DLQ has republish set, which callmask never configures/)
    const cleaned = (await adminJsm.streams.info(deadLetterStream)).config
    delete cleaned.republish
    await adminJsm.streams.update(deadLetterStream, cleaned)
    await admin.close()

    // The keys command finds the embedded server and its admin user from the data directory.
    const out: string[] = []
    const code = await runKeysCommand(['list'], { CALLMASK_DATA_DIR: dataDir }, { out: (l) => out.push(l), err: (l) => out.push(l) })
    expect({ code, out }).toEqual({ code: 0, out: ['dev: current key version 1; live versions 1'] })
    await processor.close()
  })
})

// Regressions from a review as a local attacker: a stale nats.json made the keys command send
// the admin password to whoever bound the old port; passwords never changed; the data
// directory and planted secret files were trusted as they were.
describe('embedded NATS secrets across restarts (integration)', () => {
  let world: TestWorld
  beforeAll(async () => {
    world = await createTestWorld()
  })
  afterAll(async () => world?.close())

  const start = (dataDir: string) =>
    startPipeline(loadConfig({}, { dataDir, ingestPort: 0, statusPort: 0, apiPort: 0, clickhouseDatabase: world.database }), captureLogs().log, { clickhouse: world.clickhouse })
  const keysList = async (dataDir: string) => {
    const lines: string[] = []
    const code = await runKeysCommand(['list'], { CALLMASK_DATA_DIR: dataDir }, { out: (l) => lines.push(l), err: (l) => lines.push(l) })
    return { code, text: lines.join('\n') }
  }

  it('new passwords every start; after a stop the keys command connects nowhere', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'callmask-restarts-'))
    const files = embeddedNatsFiles(dataDir)
    const first = await start(dataDir)
    const firstAdmin = loadNatsCredentials(files.credentials).admin!.password
    expect((await keysList(dataDir)).code).toBe(0)
    await first.close()
    expect(existsSync(files.connection)).toBe(false)
    expect(await keysList(dataDir)).toMatchObject({ code: 2, text: expect.stringMatching(/no embedded callmask is running under/) })

    const second = await start(dataDir)
    expect(loadNatsCredentials(files.credentials).admin!.password).not.toBe(firstAdmin)
    // The old admin password is refused by the new server.
    await expect(connect({ servers: second.natsUrl, user: 'callmask-admin', pass: firstAdmin, reconnect: false })).rejects.toThrow(/Authorization Violation/)
    await second.close()

    // A nats.json left behind (a crash) whose nats-server is gone is not trusted.
    writeFileSync(files.connection, JSON.stringify({ url: 'nats://127.0.0.1:1', credentialsFile: files.credentials }), { mode: 0o600 })
    expect(await keysList(dataDir)).toMatchObject({ code: 1, text: expect.stringMatching(/The embedded callmask under .* is not running \(its nats-server is gone\)/) })
  })

  it('refuses a data directory others may write, and a master key others may read', async () => {
    const open = mkdtempSync(join(tmpdir(), 'callmask-open-'))
    chmodSync(open, 0o777)
    await expect(start(open)).rejects.toThrow(`The data directory ${open} is writable by other users (mode 777)`)

    const dataDir = mkdtempSync(join(tmpdir(), 'callmask-planted-'))
    writeFileSync(join(dataDir, 'master.key'), randomBytes(32).toString('base64'), { mode: 0o644 })
    await expect(start(dataDir)).rejects.toThrow(/The master key file .*master\.key is readable or writable by other users \(mode 644\)/)
    // The failed start stopped what it had started: nothing holds the directory.
    expect(existsSync(join(dataDir, 'callmask.pid'))).toBe(false)
  })
})

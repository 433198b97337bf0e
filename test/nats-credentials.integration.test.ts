// Regression: embedded mode ran NATS without authentication, so any local process could read
// raw frames, read the sealed keyring and publish forged frames for any tenant. Now every
// role has its own user with least privileges (lib/nats-credentials.ts); these tests use the
// embedded pipeline as `npm start` runs it and try what each user must not do.
import { jetstreamManager, AckPolicy } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import { connect } from '@nats-io/transport-node'
import { readFileSync, readlinkSync, statSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../lib/config.ts'
import { framesStream } from '../lib/jetstream-streams.ts'
import { embeddedNatsFiles, loadNatsCredentials } from '../lib/nats-connection.ts'
import { inboxPrefixOf, type NatsCredentials, type NatsRole } from '../lib/nats-credentials.ts'
import { developmentIngestKey, startPipeline, type Pipeline } from '../lib/pipeline.ts'
import { keyringBucket } from '../processor/keyring/keyring.ts'
import { runKeysCommand } from '../processor/keyring/keys-command.ts'
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
    const config = loadConfig({}, { dataDir, ingestPort: 0, statusPort: 0, clickhouseDatabase: world.database, batchMaxMs: 100 })
    pipeline = await startPipeline(config, captureLogs().log, { clickhouse: world.clickhouse })
    credentials = loadNatsCredentials(embeddedNatsFiles(dataDir).credentials)
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
    await processor.close()

    // The keys command finds the embedded server and its admin user from the data directory.
    const out: string[] = []
    const code = await runKeysCommand(['list'], { CALLMASK_DATA_DIR: dataDir }, { out: (l) => out.push(l), err: (l) => out.push(l) })
    expect({ code, out }).toEqual({ code: 0, out: ['dev: current key version 1; live versions 1'] })
  })
})

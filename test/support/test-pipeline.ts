// Starts real parts for integration tests: a nats-server on a free port with a temp store,
// chdb in a temp directory (one per test file: chdb binds one store per process), ingest
// on port 0 and the processor.
import { createClient, type ClickHouseClient } from '@clickhouse/client'
import { randomBytes } from 'node:crypto'
import type { ConnectionOptions } from '@nats-io/nats-core'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { hashIngestKey } from '../../ingest/ingest-keys.ts'
import { connect } from '@nats-io/transport-node'
import { loadConfig, type Config } from '../../lib/config.ts'
import { ensureStreams } from '../../lib/jetstream-streams.ts'
import { createLogger } from '../../lib/logger.ts'
import { generateNatsCredentials, inboxPrefixOf, natsAuthorizationBlock, type NatsCredentials, type NatsRole } from '../../lib/nats-credentials.ts'
import { startNatsServer, type NatsServerHandle } from '../../lib/nats-server-launcher.ts'
import { startPipeline, type Pipeline, type PipelineOverrides } from '../../app/pipeline.ts'
import { connectClickHouse } from '../../storage/clickhouse-connection.ts'
import { startClickHouseProcess, type ClickHouseProcess } from './clickhouse-process.ts'
import { startNatsCluster, type NatsCluster } from './nats-cluster.ts'

export const testKey = 'test-key-acme-0123456789'
export const testTenant = 'acme'

/** Captures every log line so tests can assert that no raw identifier was logged. */
export function captureLogs() {
  const lines: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean))
      done()
    },
  })
  return { lines, log: createLogger('debug', sink) }
}

export interface TestWorld {
  /** The nats-server (with `natsNodes` > 1: the cluster's first node). */
  nats: NatsServerHandle
  /** With `natsNodes` > 1: the whole cluster. */
  natsCluster?: NatsCluster
  /** Every node's URL, comma-separated (NATS_URL). */
  natsUrl: string
  /** The server requires these users, with callmask's least privileges (lib/nats-credentials.ts). */
  natsCredentials: NatsCredentials
  /** Options to connect to the world's nats-server as one role (admin may do anything). */
  natsOptions(role: NatsRole): ConnectionOptions
  clickhouse: ClickHouseClient
  /** With `clickhouseProcess`: the ClickHouse server process and its URL (processor processes use it). */
  clickhouseProcess?: ClickHouseProcess
  clickhouseUrl?: string
  database: string
  dataDir: string
  masterKey: string
  logs: string[]
  start(overrides?: Partial<Config>, pipelineOverrides?: PipelineOverrides): Promise<Pipeline>
  query<T>(sql: string, params?: Record<string, unknown>): Promise<T[]>
  close(): Promise<void>
}

// chdb allows one store per process: every world of a test file shares it, each with its own database.
let sharedChdb: ClickHouseClient | undefined
function processChdb(): ClickHouseClient {
  if (!sharedChdb) {
    const path = mkdtempSync(join(tmpdir(), 'callmask-chdb-'))
    sharedChdb = connectClickHouse({ chdbPath: path }).client
    process.once('exit', () => rmSync(path, { recursive: true, force: true }))
  }
  return sharedChdb
}

export interface TestWorldOptions {
  /** nats-servers in a JetStream cluster on loopback; the streams get one replica per node. @default 1 */
  natsNodes?: number
  /** One nats-server (natsNodes 1) with this certificate (clients must use TLS), and every client trusting `caFile`. */
  natsTls?: { certFile: string; keyFile: string; caFile: string }
  /**
   * ClickHouse as a process of its own (chdb behind its HTTP interface, clickhouse-process.ts)
   * instead of chdb in this process: processors may then run as processes too, and the
   * store can be stopped. Everything goes through the server code path.
   */
  clickhouseProcess?: boolean
}

/** How a test connects to its nats-server(s) as one of callmask's users. */
function connectionOptionsOf(urls: string, credentials: NatsCredentials, role: NatsRole, tls?: { caFile: string }): ConnectionOptions {
  return {
    servers: urls.split(','),
    user: credentials[role].user,
    pass: credentials[role].password,
    inboxPrefix: inboxPrefixOf(role),
    ...(tls ? { tls: { caFile: tls.caFile } } : {}),
  }
}

/**
 * A JetStream cluster that has placed callmask's streams on every node. A young cluster
 * answers before every peer has joined ("no suitable peers for placement"), so placing is
 * retried; a cluster that still cannot place them after 20 s (seen once in a CI run, on a
 * machine busy with other tests' clusters) is stopped and a fresh one started, twice at most.
 */
async function startClusterWithStreams(options: {
  size: number
  rootDir: string
  authorization: string
  credentials: NatsCredentials
  streams: Parameters<typeof ensureStreams>[1]
}): Promise<NatsCluster> {
  const failures: string[] = []
  for (let attempt = 1; attempt <= 3; attempt++) {
    const cluster = await startNatsCluster({ size: options.size, rootDir: join(options.rootDir, `attempt-${attempt}`), authorization: options.authorization })
    const admin = await connect(connectionOptionsOf(cluster.urls, options.credentials, 'admin'))
    let lastError = ''
    const placed = () => ensureStreams(admin, options.streams).then(() => true, (error: Error) => ((lastError = error.message), false))
    const ok = await eventually(placed, 20_000, 'the cluster to place the streams on every node').then(() => true, () => false)
    await admin.close()
    if (ok) return cluster
    const logs = cluster.nodes.map((node, i) => `n${i + 1}: ${existsSync(node.logFile) ? readFileSync(node.logFile, 'utf8').slice(-2000) : 'no log'}`)
    failures.push(`attempt ${attempt}: ${lastError}\n${logs.join('\n')}`)
    await cluster.stop()
  }
  throw new Error(`a ${options.size}-node NATS cluster did not place the streams in 3 attempts of 20 s:\n${failures.join('\n')}`)
}

export async function createTestWorld(options: TestWorldOptions = {}): Promise<TestWorld> {
  const dataDir = mkdtempSync(join(tmpdir(), 'callmask-test-'))
  const natsCredentials = generateNatsCredentials()
  const credentialsFile = join(dataDir, 'nats-credentials.json')
  writeFileSync(credentialsFile, JSON.stringify(natsCredentials), { mode: 0o600 })
  const authorization = natsAuthorizationBlock(natsCredentials)
  const replicas = options.natsNodes ?? 1
  const tls = options.natsTls
  const streams = { duplicateWindowS: 900, maxAgeH: 168, replicas }
  const natsCluster = replicas > 1 ? await startClusterWithStreams({ size: replicas, rootDir: join(dataDir, 'nats'), authorization, credentials: natsCredentials, streams }) : undefined
  const nats =
    natsCluster?.nodes[0] ??
    (await startNatsServer({
      storeDir: join(dataDir, 'nats'),
      authorization,
      extraConfig: tls ? `tls { cert_file: ${JSON.stringify(tls.certFile)}, key_file: ${JSON.stringify(tls.keyFile)} }` : undefined,
    }))
  const natsUrl = natsCluster?.urls ?? nats.url
  const natsOptions = (role: NatsRole): ConnectionOptions => connectionOptionsOf(natsUrl, natsCredentials, role, tls)
  if (!natsCluster) {
    // As a processor or an operator would have: ingest's NATS user may not create streams.
    const admin = await connect(natsOptions('admin'))
    await ensureStreams(admin, streams)
    await admin.close()
  }
  const clickhouseProcess = options.clickhouseProcess ? await startClickHouseProcess(join(dataDir, 'clickhouse')) : undefined
  const clickhouse = clickhouseProcess ? createClient({ url: clickhouseProcess.url }) : processChdb()
  const database = `callmask_${randomBytes(4).toString('hex')}`
  const masterKey = randomBytes(32).toString('base64')
  const { lines, log } = captureLogs()
  const pipelines: Pipeline[] = []
  return {
    nats,
    natsCluster,
    natsUrl,
    natsCredentials,
    natsOptions,
    clickhouse,
    clickhouseProcess,
    get clickhouseUrl() {
      return clickhouseProcess?.url
    },
    database,
    dataDir,
    masterKey,
    logs: lines,
    async start(overrides = {}, pipelineOverrides = {}) {
      const config = loadConfig(
        {},
        {
          dataDir,
          natsUrl,
          streamReplicas: replicas,
          natsCredentialsFile: credentialsFile,
          natsCaFile: tls?.caFile,
          clickhouseDatabase: database,
          ingestPort: 0,
          apiPort: 0,
          statusPort: 0,
          ingestKeys: [{ id: 'test', tenant: testTenant, sha256: hashIngestKey(testKey) }],
          masterKey,
          batchMaxMs: 100,
          publishTimeoutMs: 1500,
          ...overrides,
        },
      )
      // With a ClickHouse process each pipeline connects to its URL, as a deployment would.
      const shared = clickhouseProcess ? {} : { clickhouse }
      const pipeline = await startPipeline(clickhouseProcess ? { ...config, clickhouseUrl: clickhouseProcess.url } : config, log, { ...shared, ...pipelineOverrides })
      pipelines.push(pipeline)
      return pipeline
    },
    async query<T>(sql: string, params: Record<string, unknown> = {}) {
      const result = await clickhouse.query({ query: sql.replaceAll('{db}', database), query_params: params, format: 'JSONEachRow' })
      return result.json<T>()
    },
    async close() {
      for (const p of pipelines.reverse()) await p.close().catch(() => undefined)
      await (natsCluster ?? nats).stop()
      if (clickhouseProcess) {
        await clickhouse.close()
        await clickhouseProcess.stop()
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Polls until `check` returns true or the time is up. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}

// Wires the stages of one callmask process from its config: NATS (a private nats-server
// when NATS_URL is unset), ingest, ClickHouse (chdb when CLICKHOUSE_URL is unset) with
// migrations, the keyring and the processor. `npm start` and the integration tests use it.
import type { ClickHouseClient } from '@clickhouse/client'
import type { NatsConnection } from '@nats-io/nats-core'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Logger } from 'pino'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { startApi, type ApiServer } from '../api/server.ts'
import { startIngest, type IngestServer } from '../ingest/index.ts'
import { hashIngestKey } from '../ingest/ingest-keys.ts'
import { hashKey } from '../lib/key-hash.ts'
import { connectClickHouse } from '../storage/clickhouse-connection.ts'
import { layoutOf } from '../storage/clickhouse-layout.ts'
import { startProcessor, type Backlog, type JetStreamSetUp, type Processor, type ProcessorDeps } from '../processor/index.ts'
import { ensureProcessorConsumer, ensureStreams } from '../lib/jetstream-streams.ts'
import { createKeyring, openKeyringBucket } from '../keyring/keyring.ts'
import { loadMasterKey } from '../keyring/master-key.ts'
import { applyMigrations } from '../storage/migrations.ts'
import { startStatusServer } from '../processor/status-server.ts'
import { loadPolicy } from '../policy/load-policy.ts'
import { createPseudonymiser } from '../keyring/pseudonymiser.ts'
import type { Config } from '../lib/config.ts'
import { ConfigError } from '../lib/errors.ts'
import { apiAddressFile, embeddedAdminKeyFile, lockDataDir, stopOrphanedNatsServer } from '../lib/data-dir-lock.ts'
import { startNatsServer, type NatsServerHandle } from '../lib/nats-server-launcher.ts'
import { connectNats, embeddedNatsFiles, loadNatsCredentials, type NatsCredentials } from '../lib/nats-connection.ts'
import { generateNatsCredentials, natsAuthorizationBlock, type NatsRole } from '../lib/nats-credentials.ts'
import { checkPrivateFile, ensurePrivateDir, writePrivateFile } from '../lib/private-files.ts'
import { msgpackIsNative } from '../lib/wire-codec.ts'
import { jetstreamManager } from '@nats-io/jetstream'
import type { ApiKeyEntry } from '../lib/config.ts'
import type { NatsUser } from '../lib/nats-credentials.ts'
import type { CompiledPolicy } from '../policy/load-policy.ts'
import type { MasterKey } from '../keyring/master-key.ts'
import type { AdminContext } from '../privacy/admin-context.ts'
import { createAuditLog } from '../privacy/audit-log.ts'
import { createAccessKeyReader, openAccessKeysBucket, type AccessKeyReader } from '../lib/access-key-store.ts'
import { openTenantSettingsForWriting } from '../lib/tenant-settings.ts'
import type { IngestKeyEntry } from '../lib/config.ts'
import { startLeakScanJob, type LeakScanJob } from '../privacy/leak-scan-job.ts'

/** Accepted only in embedded mode (no NATS_URL, role all) so a laptop run works out of the box. */
export const developmentIngestKey = 'cm_dev_local_only'
export const developmentTenant = 'dev'
/** The analyst key of tenant `dev` in embedded mode without CALLMASK_API_KEYS. */
export const developmentApiKey = 'cm_dev_analyst_local_only'

export interface PipelineOverrides {
  /** Share one ClickHouse client (chdb allows one store per process). */
  clickhouse?: ClickHouseClient
  /** Processor ack wait in seconds below the config's minimum (tests see redeliveries quickly). */
  ackWaitS?: number
  beforeAck?: ProcessorDeps['beforeAck']
  /** How long processors trust a cached tenant key (tests shorten it to see rotations at once). */
  keyCacheTtlMs?: number
}

export interface Pipeline {
  readonly natsUrl: string
  readonly natsServer?: NatsServerHandle
  readonly ingest?: IngestServer
  readonly processor?: Processor
  /** The analyst API (roles all and api). */
  readonly api?: ApiServer
  readonly clickhouse?: ClickHouseClient
  readonly clickhouseWhere?: string
  readonly embeddedDevKey: boolean
  /** The development analyst key is accepted (embedded, no CALLMASK_API_KEYS). */
  readonly embeddedDevApiKey: boolean
  /** Stops everything gracefully; says what JetStream still holds (when this process had a processor). */
  close(): Promise<StopReport>
}

export interface StopReport {
  backlog?: Backlog
  /** Messages this process's processor sent to the dead-letter stream. */
  deadLettered?: number
}

export async function startPipeline(config: Readonly<Config>, log: Logger, overrides: PipelineOverrides = {}): Promise<Pipeline> {
  const dataDir = resolve(config.dataDir)
  const embedded = !config.natsUrl && config.role === 'all'
  if (config.role === 'api') return startApiOnly(config, log, overrides)
  // Checked before anything starts: an invalid policy must stop start-up, not storage.
  const policy = config.role === 'ingest' ? undefined : loadPolicy(config.policyFile)
  let natsServer: NatsServerHandle | undefined
  let ingest: IngestServer | undefined
  let processor: Processor | undefined
  let api: ApiServer | undefined
  let clickhouse = overrides.clickhouse
  let clickhouseWhere: string | undefined
  let ownsClickhouse = false
  let statusServer: { port: number; close(): Promise<void> } | undefined
  let leakScanJob: LeakScanJob | undefined
  const connections: NatsConnection[] = []
  const usesDataDir = !config.natsUrl || (config.role !== 'ingest' && !config.clickhouseUrl && !overrides.clickhouse)
  if (usesDataDir) ensurePrivateDir(dataDir)
  else mkdirSync(dataDir, { recursive: true })
  const releaseDataDir = usesDataDir ? lockDataDir(dataDir) : () => undefined
  async function close(): Promise<StopReport> {
    // Also when the API never started (its port taken): the admin key is written before it.
    if (usesDataDir) {
      rmSync(apiAddressFile(dataDir), { force: true })
      rmSync(embeddedAdminKeyFile(dataDir), { force: true })
    }
    await leakScanJob?.stop()
    await api?.close()
    await ingest?.close()
    await processor?.close()
    // Asked after the processor flushed: what is left waits in JetStream for the next start.
    const backlog = await processor?.backlog()
    await statusServer?.close()
    for (const nc of connections) await nc.drain().catch(() => nc.close())
    if (ownsClickhouse) await clickhouse?.close()
    await natsServer?.stop()
    // The keys command must not send the admin password to whoever binds the old port next.
    if (natsServer) rmSync(embeddedNatsFiles(dataDir).connection, { force: true })
    releaseDataDir()
    return backlog ? { backlog, deadLettered: processor?.stats.deadLettered ?? 0 } : {}
  }
  // A start that fails half-way (a port taken, NATS refusing us) stops what it started.
  try {
    // Embedded: a private nats-server with generated credentials, one least-privileged user
    // per role; its URL and credentials file are written under dataDir for the keys command.
    let credentials: Partial<NatsCredentials>
    if (!config.natsUrl) {
      mkdirSync(join(dataDir, 'nats'), { recursive: true })
      const files = embeddedNatsFiles(dataDir)
      if (await stopOrphanedNatsServer(files.pid)) log.warn('stopped a nats-server a previous run left behind on this data directory')
      // New passwords every start: one read from an old file or a stale config is worthless.
      const generated = generateNatsCredentials()
      writePrivateFile(files.credentials, JSON.stringify(generated, null, 2) + '\n')
      credentials = generated
      natsServer = await startNatsServer({
        storeDir: join(dataDir, 'nats'),
        pidFile: files.pid,
        logFile: files.log,
        workDir: files.run,
        authorization: natsAuthorizationBlock(generated),
        syncInterval: config.natsSyncInterval,
      })
      writePrivateFile(files.connection, JSON.stringify({ url: natsServer.url, credentialsFile: files.credentials }, null, 2) + '\n')
      log.info({ url: natsServer.url, log: files.log }, 'started a local nats-server with JetStream')
    } else {
      credentials = config.natsCredentialsFile ? loadNatsCredentials(config.natsCredentialsFile) : {}
    }
    if (msgpackIsNative) log.info('msgpackr native acceleration is on')
    else log.warn('msgpackr runs without its native part (msgpackr-extract did not load): decoding is slower')
    const natsUrl = config.natsUrl ?? natsServer!.url
    const registry = new Registry()
    collectDefaultMetrics({ register: registry })
    const connectAs = async (role: NatsRole) => {
      const user = credentials[role] ?? (config.natsUser ? { user: config.natsUser, password: config.natsPassword ?? '' } : undefined)
      const nc = await connectNats(natsUrl, role, user, natsTlsOf(config))
      connections.push(nc)
      return nc
    }

    const useDevKey = !config.ingestKeys && embedded
    const ingestKeys: IngestKeyEntry[] = config.ingestKeys ?? (useDevKey ? [{ id: 'dev', tenant: developmentTenant, sha256: hashIngestKey(developmentIngestKey) }] : [])
    if (config.role !== 'processor') {
      if (!config.ingestKeys && !embedded) {
        throw new ConfigError('CALLMASK_INGEST_KEYS is required unless callmask runs fully embedded (no NATS_URL, CALLMASK_ROLE=all).')
      }
      // In role all, /readyz also answers for the processor started below (a stuck writer).
    const processorReady = () => !policy || processor?.ready === true
    ingest = await startIngest({ ...config, ingestKeys }, { nc: await connectAs('ingest'), log, registry, alsoReady: processorReady })
    }

    // With admin credentials at hand (embedded mode), the streams and the processor consumer
    // are set up, and repaired if an operator deleted them, as admin: the processor's user cannot.
    function adminSetUp(): ((setUp: JetStreamSetUp) => Promise<void>) | undefined {
      const adminUser = credentials.admin
      if (!adminUser) return undefined
      return async (setUp) => {
        const admin = await connectNats(natsUrl, 'admin', adminUser, { reconnect: false, ...natsTlsOf(config) })
        try {
          await ensureStreams(admin, setUp.streams)
          await ensureProcessorConsumer(admin, setUp.consumer)
        } finally {
          await admin.close()
        }
      }
    }
    if (policy) {
      if (!clickhouse) {
        const connection = connectClickHouse({
          url: config.clickhouseUrl,
          user: config.clickhouseUser,
          password: config.clickhousePassword,
          chdbPath: join(dataDir, 'chdb'),
        })
        clickhouse = connection.client
        clickhouseWhere = connection.embedded ? `chdb at ${connection.where}` : `ClickHouse at ${connection.where}`
        ownsClickhouse = true
      }
      const applied = await applyMigrations(clickhouse, config.clickhouseDatabase, layoutOf(config))
      if (applied.length > 0) log.info({ applied }, 'ClickHouse migrations applied')
      const masterKey = loadMasterKey(masterKeySource(config, dataDir, embedded))
      if (credentials.admin) {
        // Only admin may write the keyring: create the bucket and the first key of each tenant
        // this process knows, so processors (read-only) find them.
        const admin = await connectAs('admin')
        const tenants = new Set([...(config.ingestKeys ?? []).map((k) => k.tenant), ...(useDevKey ? [developmentTenant] : [])])
        const adminKeyring = createKeyring({ kv: await openKeyringBucket(admin, config.streamReplicas), masterKey, log })
        for (const tenant of tenants) await adminKeyring.currentKey(tenant)
        // The people's keys bucket, which ingest and the API only read; the tenant settings
        // bucket now too, so that on a cluster every bucket gets its replicas.
        await openAccessKeysBucket(admin, config.streamReplicas)
        await openTenantSettingsForWriting(admin, config.streamReplicas)
        await admin.close()
        connections.splice(connections.indexOf(admin), 1)
      }
      const nc = await connectAs('processor')
      const keyring = createKeyring({ kv: await openKeyringBucket(nc), masterKey, log, cacheTtlMs: overrides.keyCacheTtlMs })
      processor = await startProcessor(
        { ...config, ackWaitS: overrides.ackWaitS ?? config.ackWaitS },
        { nc, clickhouse, pseudonymiser: createPseudonymiser(keyring), policy, log, registry, beforeAck: overrides.beforeAck, setUpJetStream: adminSetUp() },
      )
      if (config.role === 'all') {
        const useDevApiKey = !config.apiKeys && embedded
        const apiKeys: ApiKeyEntry[] = [...(config.apiKeys ?? (useDevApiKey ? [{ id: 'dev-analyst', role: 'analyst' as const, tenant: developmentTenant, sha256: hashKey(developmentApiKey) }] : []))]
        // The local operator's admin key: new every start, in a 0600 file the CLI reads.
        if (usesDataDir && !config.natsUrl) {
          const adminKey = `cm_admin_${randomBytes(24).toString('base64url')}`
          writePrivateFile(embeddedAdminKeyFile(dataDir), adminKey + '\n')
          apiKeys.push({ id: 'embedded-admin', role: 'admin', sha256: hashKey(adminKey) })
        }
        const admin = await adminContext(config, { clickhouse, log, policy, natsUrl, adminUser: credentials.admin, masterKey, registry })
        if (admin.nats) connections.push(admin.nats.nc)
        admin.staticKeys = { ingest: ingestKeys, api: apiKeys }
        // Run-time keys are read per request: as admin when this process has that user, else as api.
        const keysNc = admin.nats?.nc ?? (credentials.api || config.natsUser ? await connectAs('api') : undefined)
        if (!keysNc) log.warn('run-time API keys are refused: this process has no NATS user for role api or admin (NATS_CREDENTIALS_FILE)')
        const accessKeys = keysNc ? await createAccessKeyReader(keysNc) : undefined
        if (config.leakScanIntervalMin > 0) leakScanJob = startLeakScanJob(admin, { intervalMs: config.leakScanIntervalMin * 60_000 })
        api = await startApi({ host: config.ingestHost, port: config.apiPort, database: config.clickhouseDatabase, apiKeys }, { clickhouse, log, registry, admin, accessKeys })
        // `npm run query` finds the API of the process that owns the store through this file.
        if (usesDataDir) writePrivateFile(apiAddressFile(dataDir), JSON.stringify({ url: api.url }) + '\n')
      }
      if (config.role === 'processor') {
        statusServer = await startStatusServer({ host: config.ingestHost, port: config.statusPort, registry, ready: () => !nc.isClosed() && processor?.ready === true })
        log.info({ port: statusServer.port }, 'processor status server listening (/healthz, /readyz, /metrics)')
      }
    }

    return {
      natsUrl,
      natsServer,
      ingest,
      processor,
      api,
      clickhouse,
      clickhouseWhere,
      embeddedDevKey: useDevKey,
      embeddedDevApiKey: !config.apiKeys && embedded,
      close,
    }
  } catch (error) {
    await close().catch(() => undefined)
    throw error
  }
}

// CALLMASK_NATS_CA_FILE is for the server of NATS_URL: the embedded one speaks no TLS.
function natsTlsOf(config: Readonly<Config>): { caFile?: string } {
  return config.natsUrl && config.natsCaFile ? { caFile: config.natsCaFile } : {}
}

/** The privacy operations' context: ClickHouse, the audit log and, with an admin NATS user, JetStream and the keyring. */
async function adminContext(
  config: Readonly<Config>,
  parts: { clickhouse: ClickHouseClient; log: Logger; policy: CompiledPolicy; natsUrl: string; adminUser: NatsUser | undefined; masterKey: MasterKey | undefined; registry?: Registry },
): Promise<AdminContext> {
  const audit = createAuditLog(parts.clickhouse, config.clickhouseDatabase, config.auditRetentionDays)
  const context: AdminContext = { clickhouse: parts.clickhouse, database: config.clickhouseDatabase, config, policy: parts.policy, audit, log: parts.log, registry: parts.registry }
  if (!parts.adminUser || !parts.masterKey) return context
  const nc = await connectNats(parts.natsUrl, 'admin', parts.adminUser, natsTlsOf(config))
  const jsm = await jetstreamManager(nc)
  const keyring = createKeyring({ kv: await openKeyringBucket(nc), masterKey: parts.masterKey, log: parts.log, jsm })
  return { ...context, nats: { nc, keyring } }
}

// Embedded mode keeps a generated master key beside the data; servers must be given one.
function masterKeySource(config: Readonly<Config>, dataDir: string, embedded: boolean): { env?: string; file?: string } {
  if (config.masterKey) return { env: config.masterKey }
  if (config.masterKeyFile) return { file: config.masterKeyFile }
  if (!embedded) throw new ConfigError('CALLMASK_MASTER_KEY or CALLMASK_MASTER_KEY_FILE is required when callmask does not run embedded.')
  const file = join(dataDir, 'master.key')
  if (!existsSync(file)) writePrivateFile(file, randomBytes(32).toString('base64') + '\n')
  else checkPrivateFile(file, 'master key file')
  return { file }
}

/** Role api: ClickHouse and the analyst API only (no NATS); the store must be a server's. */
async function startApiOnly(config: Readonly<Config>, log: Logger, overrides: PipelineOverrides): Promise<Pipeline> {
  if (!config.clickhouseUrl && !overrides.clickhouse) {
    throw new ConfigError('CALLMASK_ROLE=api needs CLICKHOUSE_URL: the embedded store belongs to the process that runs role all, whose API port serves it.')
  }
  if (!config.apiKeys) throw new ConfigError('CALLMASK_API_KEYS is required for CALLMASK_ROLE=api.')
  const owned = overrides.clickhouse ? undefined : connectClickHouse({ url: config.clickhouseUrl, user: config.clickhouseUser, password: config.clickhousePassword, chdbPath: '' })
  const clickhouse = overrides.clickhouse ?? owned!.client
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  let nc: NatsConnection | undefined
  try {
    await applyMigrations(clickhouse, config.clickhouseDatabase, layoutOf(config))
    // The privacy operations that need JetStream and the keyring run here when this process
    // has callmask's NATS admin user and the master key; the audit log always works.
    const adminUser = config.natsUrl && config.natsCredentialsFile ? loadNatsCredentials(config.natsCredentialsFile).admin : undefined
    const masterKey = adminUser && (config.masterKey || config.masterKeyFile) ? loadMasterKey(masterKeySource(config, '', false)) : undefined
    const admin = await adminContext(config, { clickhouse, log, policy: loadPolicy(config.policyFile), natsUrl: config.natsUrl ?? '', adminUser: masterKey ? adminUser : undefined, masterKey })
    let accessKeys: AccessKeyReader | undefined
    if (config.natsUrl) {
      // Run-time keys (created through an admin API) are read as the api user: read-only, one bucket.
      const credentials = config.natsCredentialsFile ? loadNatsCredentials(config.natsCredentialsFile) : {}
      const user = credentials.api ?? (config.natsUser ? { user: config.natsUser, password: config.natsPassword ?? '' } : undefined)
      nc = await connectNats(config.natsUrl, 'api', user, natsTlsOf(config))
      accessKeys = await createAccessKeyReader(nc)
    } else {
      log.info('NATS_URL is not set: only the static keys of CALLMASK_API_KEYS are accepted')
    }
    const api = await startApi({ host: config.ingestHost, port: config.apiPort, database: config.clickhouseDatabase, apiKeys: config.apiKeys }, { clickhouse, log, registry, accessKeys, admin })
    return {
      natsUrl: '',
      api,
      clickhouse,
      clickhouseWhere: owned?.where,
      embeddedDevKey: false,
      embeddedDevApiKey: false,
      async close() {
        await api.close()
        await admin.nats?.nc.drain().catch(() => undefined)
        await nc?.drain().catch(() => nc?.close())
        if (owned) await clickhouse.close()
        return {}
      },
    }
  } catch (error) {
    await nc?.close().catch(() => undefined)
    if (owned) await clickhouse.close().catch(() => undefined)
    throw error
  }
}

// The one validated configuration of a callmask process. It is read from the environment
// once, at start-up (nothing else reads process.env), checked against a JSON Schema with
// defaults, every problem reported at once by its variable name, and deep-frozen.
import { Ajv } from 'ajv'
import type { FromSchema } from 'json-schema-to-ts'
import { ConfigError } from './errors.ts'
import { tenantNamePattern } from './tenant-name.ts'

const ingestKeySchema = {
  type: 'object',
  required: ['tenant', 'sha256'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', maxLength: 64 },
    tenant: { type: 'string', pattern: tenantNamePattern },
    /** hex SHA-256 of the key: keys are stored hashed, never in clear. */
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    origins: { type: 'array', items: { type: 'string', maxLength: 256 }, maxItems: 64 },
    /** Refuse connections without an Origin header (browsers always send one; other clients may omit it). @default false */
    requireOrigin: { type: 'boolean' },
  },
} as const

const apiKeySchema = {
  type: 'object',
  required: ['role', 'sha256'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', maxLength: 64 },
    /** analyst: reads its tenant; admin: every tenant (and, later, manages keys and erasure). */
    role: { type: 'string', enum: ['analyst', 'admin'] },
    /** Required for analyst keys. */
    tenant: { type: 'string', pattern: tenantNamePattern },
    /** hex SHA-256 of the key: keys are stored hashed, never in clear. */
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  },
  if: { properties: { role: { const: 'analyst' } } },
  then: { required: ['tenant'], properties: { tenant: { type: 'string' } } },
} as const

const subprocessorSchema = {
  type: 'object',
  required: ['name', 'purpose'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    purpose: { type: 'string', minLength: 1, maxLength: 500 },
    /** Where it processes the data (country or region). */
    location: { type: 'string', maxLength: 200 },
    /** processor: runs callmask for the controller; sub-processor: engaged by the processor. @default "sub-processor" */
    role: { type: 'string', enum: ['processor', 'sub-processor'] },
  },
} as const

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: [],
  properties: {
    /** CALLMASK_ROLE: what this process runs. @default "all" */
    role: { type: 'string', enum: ['all', 'ingest', 'processor', 'api'], default: 'all' },
    /** CALLMASK_DATA_DIR: embedded chdb store, local nats-server store, generated master key. @default "./data" */
    dataDir: { type: 'string', default: './data' },
    /** LOG_LEVEL @default "info" */
    logLevel: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    /** NATS_URL: a running nats-server >= 2.10 with JetStream; unset starts a private one under dataDir. */
    /** NATS_URL: one server, or every node of a cluster comma-separated (no spaces). */
    natsUrl: { type: 'string', pattern: '^(nats|tls|wss?)://[^\\s,]+(,(nats|tls|wss?)://[^\\s,]+)*$' },
    /** NATS_USER: this process's NATS user (one role per process, see deploy/nats.conf). */
    natsUser: { type: 'string', maxLength: 256 },
    /** NATS_PASSWORD: the password of NATS_USER. */
    natsPassword: { type: 'string', maxLength: 1024 },
    /** NATS_CREDENTIALS_FILE: JSON {"ingest":{user,password},"processor":{...},"admin":{...}}: one user per role of this process. Embedded mode writes one under dataDir. */
    natsCredentialsFile: { type: 'string' },
    /** CALLMASK_NATS_CA_FILE: PEM of the CA that signed nats-server's TLS certificate, trusted instead of the system's CAs (a private CA). @default the system's CAs */
    natsCaFile: { type: 'string', minLength: 1 },
    /** CALLMASK_NATS_SYNC_INTERVAL: the embedded nats-server's JetStream sync_interval; "always" fsyncs every write (see the bench for its cost). @default nats-server's own (2 min) */
    natsSyncInterval: { type: 'string', pattern: '^(always|[0-9]+(ms|s|m))$' },
    /** CALLMASK_ACK_WAIT_S: seconds JetStream waits for a processor's ack before redelivering to another (a crashed processor's frames stay invisible this long). @default 30 */
    ackWaitS: { type: 'integer', minimum: 5, maximum: 3600, default: 30 },
    /** CALLMASK_STUCK_AFTER_S: /readyz turns 503 when the processor holds a message unstored this long (ClickHouse refusing or down). @default 120 */
    stuckAfterS: { type: 'integer', minimum: 5, maximum: 86400, default: 120 },
    /** CLICKHOUSE_URL: a ClickHouse server; unset uses embedded chdb under dataDir. */
    clickhouseUrl: { type: 'string' },
    /** CLICKHOUSE_USER @default "default" */
    clickhouseUser: { type: 'string', default: 'default' },
    /** CLICKHOUSE_PASSWORD @default "" */
    clickhousePassword: { type: 'string', default: '' },
    /** CLICKHOUSE_DATABASE @default "callmask" */
    clickhouseDatabase: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$', default: 'callmask' },
    /** CLICKHOUSE_CLUSTER: apply the migrations' cluster variant (Replicated engines, ON CLUSTER) on this cluster. Unset: one server or chdb. */
    clickhouseCluster: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$' },
    /** CLICKHOUSE_SHARDED: the cluster has several shards: every table becomes `<name>_local` (Replicated) with a Distributed table `<name>` in front (storage/sharded-migrations.ts). Needs CLICKHOUSE_CLUSTER. @default false */
    clickhouseSharded: { type: 'boolean', default: false },
    /** CALLMASK_INGEST_HOST @default "127.0.0.1" */
    ingestHost: { type: 'string', default: '127.0.0.1' },
    /** CALLMASK_INGEST_PORT: 0 picks a free port. @default 8080 */
    ingestPort: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
    /** CALLMASK_STATUS_PORT: /healthz, /readyz, /metrics of a processor-only process (role processor). @default 9464 */
    statusPort: { type: 'integer', minimum: 0, maximum: 65535, default: 9464 },
    /** CALLMASK_INGEST_KEYS: JSON array of {tenant, sha256, id?, origins?}. Unset in embedded mode: the development key. */
    ingestKeys: { type: 'array', items: ingestKeySchema, maxItems: 10000 },
    /** CALLMASK_API_PORT: the analyst API and dashboard (roles all and api). @default 8090 */
    apiPort: { type: 'integer', minimum: 0, maximum: 65535, default: 8090 },
    /** CALLMASK_API_KEYS: JSON array of {id, role, tenant, sha256}. Unset in embedded mode: a development analyst key. */
    apiKeys: { type: 'array', items: apiKeySchema, maxItems: 10000 },
    /** CALLMASK_MAX_FRAME_BYTES: larger frames get CALLMASK_ERR_TOO_LARGE. @default 262144 */
    maxFrameBytes: { type: 'integer', minimum: 1024, maximum: 16777216, default: 262144 },
    /** CALLMASK_HELLO_TIMEOUT_MS @default 5000 */
    helloTimeoutMs: { type: 'integer', minimum: 100, maximum: 60000, default: 5000 },
    /** CALLMASK_PUBLISH_TIMEOUT_MS: no PubAck by then -> retryable error to the client. @default 5000 */
    publishTimeoutMs: { type: 'integer', minimum: 100, maximum: 60000, default: 5000 },
    /** CALLMASK_MAX_IN_FLIGHT: publishes awaiting a PubAck per ingest process before backpressure. @default 20000 */
    maxInFlight: { type: 'integer', minimum: 1, maximum: 1000000, default: 20000 },
    /** CALLMASK_SESSION_FPS: frames per second one session may send (bursts of 30 s worth allowed). @default 20 */
    framesPerSecondPerSession: { type: 'number', minimum: 0.1, maximum: 1000000, default: 20 },
    /** CALLMASK_TENANT_FPS: frames per second all sessions of a tenant may send to one ingest process. @default 10000 */
    framesPerSecondPerTenant: { type: 'number', minimum: 1, maximum: 10000000, default: 10000 },
    /** CALLMASK_TENANT_MAX_SESSIONS: open sessions per tenant on one ingest process. @default 10000 */
    maxSessionsPerTenant: { type: 'integer', minimum: 1, maximum: 10000000, default: 10000 },
    /** CALLMASK_DUPLICATE_WINDOW_S: JetStream de-duplication window; at least the SDK's retry horizon. @default 900 */
    duplicateWindowS: { type: 'integer', minimum: 10, maximum: 86400, default: 900 },
    /** CALLMASK_STREAM_MAX_AGE_H: how long frames wait in JetStream for a processor. @default 168 */
    streamMaxAgeH: { type: 'integer', minimum: 1, maximum: 8760, default: 168 },
    streamMaxMb: { type: 'integer', minimum: 0, maximum: 100000000, default: 0 },
    /** CALLMASK_STREAM_REPLICAS: JetStream copies of callmask's streams and buckets (3 on a three-node NATS cluster). @default 1 */
    streamReplicas: { type: 'integer', minimum: 1, maximum: 5, default: 1 },
    /** CALLMASK_BATCH_MAX_ROWS @default 10000 */
    batchMaxRows: { type: 'integer', minimum: 1, maximum: 1000000, default: 10000 },
    /** CALLMASK_BATCH_MAX_MS @default 1000 */
    batchMaxMs: { type: 'integer', minimum: 1, maximum: 60000, default: 1000 },
    /** CALLMASK_RETENTION_DAYS: default per-row retention. @default 30 */
    retentionDays: { type: 'integer', minimum: 1, maximum: 3650, default: 30 },
    /** CALLMASK_AGGREGATE_RETENTION_DAYS: default retention of per-minute aggregates and call summaries (13 months: a year-on-year comparison). @default 395 */
    aggregateRetentionDays: { type: 'integer', minimum: 1, maximum: 3650, default: 395 },
    /** CALLMASK_TENANT_SETTINGS_REFRESH_MS: how old a processor's copy of a tenant's run-time retention may be; a retention change waits this long (plus CALLMASK_BATCH_MAX_MS) before it moves existing rows. @default 2000 */
    tenantSettingsRefreshMs: { type: 'integer', minimum: 10, maximum: 600000, default: 2000 },
    /** CALLMASK_AUDIT_RETENTION_DAYS: how long the audit log keeps its records (two years). @default 730 */
    auditRetentionDays: { type: 'integer', minimum: 1, maximum: 3650, default: 730 },
    /** CALLMASK_ERASURE_REFRESH_MS: how often processors re-read the erasure list; an erasure's second pass waits two of these plus a batch. @default 2000 */
    erasureRefreshMs: { type: 'integer', minimum: 100, maximum: 60000, default: 2000 },
    /** CALLMASK_MASTER_KEY: base64 or hex, 32 bytes; seals the tenant keyring. */
    masterKey: { type: 'string' },
    /** CALLMASK_MASTER_KEY_FILE: a file holding the master key. Neither set: generated under dataDir. */
    masterKeyFile: { type: 'string' },
    /** CALLMASK_POLICY_FILE: the pseudonymisation policy. Unset: policy/default-policy.json. */
    policyFile: { type: 'string' },
    /** CALLMASK_CONTROLLER: the controller named in the privacy notice (name, address, contact). */
    controller: { type: 'string', maxLength: 2000 },
    /** CALLMASK_DPO_CONTACT: the data protection officer's contact, for the privacy notice. */
    dpoContact: { type: 'string', maxLength: 2000 },
    /** CALLMASK_SUBPROCESSORS: JSON array of {name, purpose, location?, role?: "processor"|"sub-processor"} for the privacy notice. */
    subprocessors: { type: 'array', items: subprocessorSchema, maxItems: 100 },
    /** CALLMASK_STORAGE_LOCATION: where the database and JetStream run (e.g. "Frankfurt, Germany (EU)"), for the privacy notice. */
    storageLocation: { type: 'string', maxLength: 500 },
    /** CALLMASK_LEGAL_BASIS: the legal basis the privacy notice states (e.g. "legitimate interest, GDPR Art. 6(1)(f)"). */
    legalBasis: { type: 'string', maxLength: 2000 },
    /** CALLMASK_LEAK_SCAN_INTERVAL_MIN: run the leak scanner over every tenant this often (role all); 0 is off. @default 0 */
    leakScanIntervalMin: { type: 'integer', minimum: 0, maximum: 10080, default: 0 },
    /** CALLMASK_LEAK_SCAN_ROWS: newest rows per table and tenant the leak scanner reads. @default 10000 */
    leakScanRows: { type: 'integer', minimum: 1, maximum: 1000000, default: 10000 },
  },
} as const

export type Config = FromSchema<typeof configSchema> &
  Required<Omit<FromSchema<typeof configSchema>, 'natsUrl' | 'natsUser' | 'natsPassword' | 'natsCredentialsFile' | 'natsCaFile' | 'natsSyncInterval' | 'clickhouseUrl' | 'clickhouseCluster' | 'ingestKeys' | 'apiKeys' | 'masterKey' | 'masterKeyFile' | 'policyFile' | 'controller' | 'dpoContact' | 'subprocessors' | 'storageLocation' | 'legalBasis'>>
export type SubprocessorEntry = FromSchema<typeof subprocessorSchema>
export type IngestKeyEntry = FromSchema<typeof ingestKeySchema>
export interface ApiKeyEntry {
  id?: string
  role: 'analyst' | 'admin'
  tenant?: string
  sha256: string
}

const envNames: Record<keyof Config, string> = {
  role: 'CALLMASK_ROLE',
  dataDir: 'CALLMASK_DATA_DIR',
  logLevel: 'LOG_LEVEL',
  natsUrl: 'NATS_URL',
  natsUser: 'NATS_USER',
  natsPassword: 'NATS_PASSWORD',
  natsCredentialsFile: 'NATS_CREDENTIALS_FILE',
  natsCaFile: 'CALLMASK_NATS_CA_FILE',
  natsSyncInterval: 'CALLMASK_NATS_SYNC_INTERVAL',
  ackWaitS: 'CALLMASK_ACK_WAIT_S',
  stuckAfterS: 'CALLMASK_STUCK_AFTER_S',
  clickhouseUrl: 'CLICKHOUSE_URL',
  clickhouseUser: 'CLICKHOUSE_USER',
  clickhousePassword: 'CLICKHOUSE_PASSWORD',
  clickhouseDatabase: 'CLICKHOUSE_DATABASE',
  clickhouseCluster: 'CLICKHOUSE_CLUSTER',
  clickhouseSharded: 'CLICKHOUSE_SHARDED',
  ingestHost: 'CALLMASK_INGEST_HOST',
  ingestPort: 'CALLMASK_INGEST_PORT',
  statusPort: 'CALLMASK_STATUS_PORT',
  ingestKeys: 'CALLMASK_INGEST_KEYS',
  apiPort: 'CALLMASK_API_PORT',
  apiKeys: 'CALLMASK_API_KEYS',
  maxFrameBytes: 'CALLMASK_MAX_FRAME_BYTES',
  helloTimeoutMs: 'CALLMASK_HELLO_TIMEOUT_MS',
  publishTimeoutMs: 'CALLMASK_PUBLISH_TIMEOUT_MS',
  maxInFlight: 'CALLMASK_MAX_IN_FLIGHT',
  framesPerSecondPerSession: 'CALLMASK_SESSION_FPS',
  framesPerSecondPerTenant: 'CALLMASK_TENANT_FPS',
  maxSessionsPerTenant: 'CALLMASK_TENANT_MAX_SESSIONS',
  duplicateWindowS: 'CALLMASK_DUPLICATE_WINDOW_S',
  streamMaxAgeH: 'CALLMASK_STREAM_MAX_AGE_H',
  streamMaxMb: 'CALLMASK_STREAM_MAX_MB',
  streamReplicas: 'CALLMASK_STREAM_REPLICAS',
  batchMaxRows: 'CALLMASK_BATCH_MAX_ROWS',
  batchMaxMs: 'CALLMASK_BATCH_MAX_MS',
  retentionDays: 'CALLMASK_RETENTION_DAYS',
  aggregateRetentionDays: 'CALLMASK_AGGREGATE_RETENTION_DAYS',
  auditRetentionDays: 'CALLMASK_AUDIT_RETENTION_DAYS',
  erasureRefreshMs: 'CALLMASK_ERASURE_REFRESH_MS',
  tenantSettingsRefreshMs: 'CALLMASK_TENANT_SETTINGS_REFRESH_MS',
  masterKey: 'CALLMASK_MASTER_KEY',
  masterKeyFile: 'CALLMASK_MASTER_KEY_FILE',
  policyFile: 'CALLMASK_POLICY_FILE',
  controller: 'CALLMASK_CONTROLLER',
  dpoContact: 'CALLMASK_DPO_CONTACT',
  subprocessors: 'CALLMASK_SUBPROCESSORS',
  storageLocation: 'CALLMASK_STORAGE_LOCATION',
  legalBasis: 'CALLMASK_LEGAL_BASIS',
  leakScanIntervalMin: 'CALLMASK_LEAK_SCAN_INTERVAL_MIN',
  leakScanRows: 'CALLMASK_LEAK_SCAN_ROWS',
}

const ajv = new Ajv({ strict: true, allErrors: true, useDefaults: true, coerceTypes: true })
const validateConfig = ajv.compile(configSchema)

/** Builds a config from environment variables plus explicit overrides (tests, CLIs). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Readonly<Config> {
  const raw: Record<string, unknown> = {}
  const problems: string[] = []
  for (const [key, name] of Object.entries(envNames)) {
    const value = env[name]
    if (value === undefined || value === '') continue
    if (key === 'ingestKeys' || key === 'apiKeys') {
      try {
        raw[key] = JSON.parse(value)
      } catch {
        problems.push(`${name} must be a JSON array of {${key === 'apiKeys' ? '"role",' : ''}"tenant","sha256"} objects`)
      }
    } else if (key === 'subprocessors') {
      try {
        raw[key] = JSON.parse(value)
      } catch {
        problems.push(`${name} must be a JSON array of {"name","purpose","location"} objects`)
      }
    } else {
      raw[key] = value
    }
  }
  Object.assign(raw, overrides)
  const given = { ...raw }
  if (!validateConfig(raw)) {
    for (const error of validateConfig.errors ?? []) {
      const key = error.instancePath.split('/')[1] ?? (error.params as { additionalProperty?: string }).additionalProperty
      const name = (key && envNames[key as keyof Config]) ?? key ?? '(config)'
      const path = error.instancePath.split('/').slice(2).map((p) => `[${p}]`).join('')
      const value = key && path === '' ? describeValue(key, given[key]) : ''
      problems.push(`${name}${path}${value} ${error.message}${allowedText(error.params)}`)
    }
  }
  if (raw['clickhouseSharded'] === true && !raw['clickhouseCluster']) problems.push('CLICKHOUSE_SHARDED=true needs CLICKHOUSE_CLUSTER: the Distributed tables are created on that cluster')
  // One process (role all) serves both: the same port would refuse the second with "taken".
  if (raw['role'] === 'all' && raw['ingestPort'] === raw['apiPort'] && raw['apiPort'] !== 0) {
    problems.push(`CALLMASK_INGEST_PORT and CALLMASK_API_PORT are both ${String(raw['apiPort'])}: with CALLMASK_ROLE=all one process serves both, so give them different ports`)
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`)
  }
  return deepFreeze(raw as Config)
}

// Secrets are never echoed back, not even in an error.
const secretKeys = new Set(['natsPassword', 'clickhousePassword', 'masterKey', 'ingestKeys', 'apiKeys'])
function describeValue(key: string, value: unknown): string {
  if (value === undefined) return ''
  return secretKeys.has(key) ? ' (value hidden)' : ` is ${JSON.stringify(value)}:`
}

function allowedText(params: Record<string, unknown>): string {
  if (Array.isArray(params['allowedValues'])) return ` (${params['allowedValues'].join(', ')})`
  return ''
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

// The record of processing (GDPR Art. 30) as callmask can state it from what runs: every
// table and view of the database with each column's class under the running policy, the
// retention each tenant's rows carry and the configured one, row counts per tenant, what
// the policy drops at ingest, where the tenant keys and the raw frames live and for how
// long, and the audit log's retention. Read from system.tables / system.columns, the rows
// themselves and JetStream; nothing here holds a personal value.
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream'
import { deadLetterStream, framesStream } from '../lib/jetstream-streams.ts'
import { keyringBucket } from '../keyring/keyring.ts'
import { keyringHistory } from '../keyring/keyring-store.ts'
import { localTablesBehindDistributed } from '../storage/clickhouse-layout.ts'
import { internalQueryLimits } from '../storage/query-limits.ts'
import type { Actor, AdminContext } from './admin-context.ts'
import { audited } from './audited-operation.ts'
import { classifyColumn, tableKind, tableRules, type ColumnClassification, type TableKind } from './column-classes.ts'
import { configuredRetention, type TenantRetention } from './configured-retention.ts'
import { droppedAtIngest, type DroppedFields } from './dropped-fields.ts'

export interface InventoryColumn extends Partial<ColumnClassification> {
  name: string
  type: string
  /** Unset (and listed in `unclassified`) for a column no rule describes. */
  class?: ColumnClassification['class']
}

export interface StoredRetention {
  tenant: string
  retentionDays?: number
  aggregateRetentionDays?: number
  rows: number
}

export interface InventoryTable {
  name: string
  kind: TableKind
  engine: string
  purpose: string
  derivedFrom?: string
  /** Tables: the TTL is `from + days` of each row. */
  ttl?: { from: string; days: string }
  rows?: { total: number; byTenant: Record<string, number> }
  /** The retention the rows carry, per tenant and value. */
  storedRetention?: StoredRetention[]
  columns: InventoryColumn[]
}

export interface StreamFacts {
  name: string
  purpose: string
  retention: string
  maxAgeHours: number
  /** Read from JetStream: undefined when this process has no admin NATS user. */
  messages?: number
  bytes?: number
  byTenant?: Record<string, number>
  unavailable?: string
}

export interface Inventory {
  generatedAt: string
  database: string
  storage: string
  tables: InventoryTable[]
  /** `table.column` of columns nobody classified: each one is a gap in this record. */
  unclassified: string[]
  droppedAtIngest: DroppedFields
  retention: {
    defaults: { rawDays: number; aggregateDays: number; auditDays: number }
    tenants: TenantRetention[]
  }
  keys: {
    where: string
    sealing: string
    masterKey: string
    kept: string
    tenants?: { tenant: string; current: number | null; versions: number[]; destroyed: number[] }[]
    unavailable?: string
  }
  rawFrames: StreamFacts[]
  auditLog: { table: string; retentionDays: number; rows: number }
}

interface TableRow { name: string; engine: string }
interface ColumnRow { table: string; name: string; type: string }

/** The inventory, audited as `inventory.read` with its counts. */
export function readInventory(admin: AdminContext, actor: Actor): Promise<Inventory> {
  return audited(admin, actor, { operation: 'inventory.read', tenant: '' }, () => buildInventory(admin), (inventory) => ({
    tables: inventory.tables.length,
    columns: inventory.tables.reduce((n, t) => n + t.columns.length, 0),
    unclassified: inventory.unclassified.length,
    tenants: inventory.retention.tenants.length,
  }))
}

async function buildInventory(admin: AdminContext): Promise<Inventory> {
  const query = async <T>(sql: string, params: Record<string, unknown> = {}): Promise<T[]> => {
    const result = await admin.clickhouse.query({ query: sql, query_params: params, format: 'JSONEachRow', clickhouse_settings: internalQueryLimits() })
    return result.json<T>()
  }
  const db = { database: admin.database }
  const tableRows = await query<TableRow>('SELECT name, engine FROM system.tables WHERE database = {database:String} ORDER BY name', db)
  const columnRows = await query<ColumnRow>('SELECT table, name, type FROM system.columns WHERE database = {database:String} ORDER BY table, position', db)
  const unclassified: string[] = []
  const tenantsSeen = new Set<string>()
  const tables: InventoryTable[] = []
  // On shards a table is its Distributed table (rows counted across the shards), not its local one.
  const behind = localTablesBehindDistributed(tableRows)
  for (const { name, engine } of tableRows) {
    if (behind.has(name)) continue
    const rule = tableRules.get(name)
    const kind = tableKind(engine)
    const columnNames = new Set(columnRows.filter((c) => c.table === name).map((c) => c.name))
    const columns = columnRows
      .filter((c) => c.table === name)
      .map((c): InventoryColumn => {
        const classified = classifyColumn(name, c.name, admin.policy)
        if (!classified) unclassified.push(`${name}.${c.name}`)
        return { name: c.name, type: c.type, ...classified }
      })
    if (!rule) unclassified.push(`${name} (table)`)
    const table: InventoryTable = { name, kind, engine, purpose: rule?.purpose ?? 'not described', columns }
    if (rule?.derivedFrom) table.derivedFrom = rule.derivedFrom
    if (rule?.ttl) table.ttl = rule.ttl
    if (kind === 'table') {
      const stored = await storedRows(query, admin.database, name, columnNames)
      table.rows = { total: 0, byTenant: {} }
      for (const row of stored) {
        table.rows.total += row.rows
        if (row.tenant === undefined) continue
        // Not from the audit log: a request naming a tenant that does not exist (a typo) would
        // make it a tenant of this record for the log's two years.
        if (name !== 'audit_log') tenantsSeen.add(row.tenant)
        table.rows.byTenant[row.tenant] = (table.rows.byTenant[row.tenant] ?? 0) + row.rows
      }
      if (columnNames.has('retention_days') || columnNames.has('aggregate_retention_days')) table.storedRetention = stored as StoredRetention[]
    }
    tables.push(table)
  }
  const audit = tables.find((t) => t.name === 'audit_log')
  return {
    generatedAt: new Date().toISOString(),
    database: admin.database,
    storage: admin.config.clickhouseUrl ? `ClickHouse server at ${new URL(admin.config.clickhouseUrl).host}` : `embedded chdb under ${admin.config.dataDir}`,
    tables,
    unclassified,
    droppedAtIngest: droppedAtIngest(admin.policy),
    retention: {
      defaults: { rawDays: admin.config.retentionDays, aggregateDays: admin.config.aggregateRetentionDays, auditDays: admin.config.auditRetentionDays },
      tenants: await Promise.all([...knownTenants(admin, tenantsSeen)].map((tenant) => configuredRetention(admin, tenant))),
    },
    keys: await keyFacts(admin),
    rawFrames: await streamFacts(admin),
    auditLog: { table: 'audit_log', retentionDays: admin.config.auditRetentionDays, rows: audit?.rows?.total ?? 0 },
  }
}

/** Tenants with rows, ingest keys or policy settings, sorted. */
export function knownTenants(admin: AdminContext, withRows: Iterable<string>): Set<string> {
  const all = [...withRows, ...(admin.config.ingestKeys ?? []).map((k) => k.tenant), ...admin.policy.tenants]
  return new Set(all.filter((t) => t !== '').sort())
}

/** Row counts per tenant and retention value; tables without a tenant column give one total. */
async function storedRows(
  query: <T>(sql: string, params?: Record<string, unknown>) => Promise<T[]>,
  database: string,
  table: string,
  columns: ReadonlySet<string>,
): Promise<{ tenant?: string; retentionDays?: number; aggregateRetentionDays?: number; rows: number }[]> {
  // Names come from system.columns of our own migrations, never from a request.
  const keys = [
    ...(columns.has('tenant') ? ['toString(tenant) AS tenant'] : []),
    ...(columns.has('retention_days') ? ['retention_days AS retentionDays'] : []),
    ...(columns.has('aggregate_retention_days') ? ['aggregate_retention_days AS aggregateRetentionDays'] : []),
  ]
  const groupBy = keys.length > 0 ? ` GROUP BY ${keys.map((k) => k.split(' AS ')[1]).join(', ')} ORDER BY ${keys.map((k) => k.split(' AS ')[1]).join(', ')}` : ''
  const rows = await query<{ tenant?: string; retentionDays?: number; aggregateRetentionDays?: number; rows: string }>(
    `SELECT ${[...keys, 'count() AS rows'].join(', ')} FROM ${database}.${table}${groupBy}`,
  )
  return rows.map((row) => ({ ...row, rows: Number(row.rows) }))
}

function masterKeySource(admin: AdminContext): string {
  if (admin.config.masterKey) return 'CALLMASK_MASTER_KEY (environment of the callmask processes)'
  if (admin.config.masterKeyFile) return `the file CALLMASK_MASTER_KEY_FILE (${admin.config.masterKeyFile})`
  return `a generated file master.key under the data directory (${admin.config.dataDir})`
}

async function keyFacts(admin: AdminContext): Promise<Inventory['keys']> {
  const facts: Inventory['keys'] = {
    where: `NATS JetStream key-value bucket ${keyringBucket} (stream KV_${keyringBucket}, file storage, history ${keyringHistory}, each superseded revision overwritten at once): one entry per tenant holding its key versions`,
    sealing: 'each tenant key (256-bit HMAC key) is sealed with AES-256-GCM under the master key, with tenant and version as authenticated data',
    masterKey: masterKeySource(admin),
    kept: "until the tenant is erased: destroying its keys replaces the entry with a tombstone without key material and overwrites the revision it replaced (crypto-shredding); a rotation adds a version and keeps the older ones so an erasure still finds the subject's older pseudonyms",
  }
  if (!admin.nats) return { ...facts, unavailable: 'this process has no admin NATS user: the keyring was not read' }
  try {
    facts.tenants = (await admin.nats.keyring.list()).map(({ tenant, current, versions, destroyed }) => ({ tenant, current, versions, destroyed }))
  } catch (error) {
    facts.unavailable = `the keyring could not be read: ${(error as Error).message}`
  }
  return facts
}

async function streamFacts(admin: AdminContext): Promise<StreamFacts[]> {
  const streams: StreamFacts[] = [
    {
      name: framesStream,
      purpose: 'raw frames as the SDK sent them (before pseudonymisation), waiting for a processor',
      retention: 'work queue: a frame is deleted as soon as the processor has stored it pseudonymised; an unprocessed frame is deleted after the maximum age',
      maxAgeHours: admin.config.streamMaxAgeH,
    },
    {
      name: deadLetterStream,
      purpose: 'raw frames the processor could not store (invalid, or refused permanently), kept for an operator to inspect',
      retention: 'limits: deleted after the maximum age, or purged by a tenant or subject erasure',
      maxAgeHours: 168,
    },
  ]
  if (!admin.nats) return streams.map((s) => ({ ...s, unavailable: 'this process has no admin NATS user: JetStream was not read' }))
  let jsm: JetStreamManager
  try {
    jsm = await jetstreamManager(admin.nats.nc, { checkAPI: false })
  } catch (error) {
    return streams.map((s) => ({ ...s, unavailable: (error as Error).message }))
  }
  for (const stream of streams) {
    try {
      const info = await jsm.streams.info(stream.name, { subjects_filter: '>' })
      stream.maxAgeHours = Number(info.config.max_age) / 3_600_000_000_000
      stream.messages = info.state.messages
      stream.bytes = info.state.bytes
      // Subjects are callmask.frames.<tenant> and callmask.dlq.<tenant>.
      stream.byTenant = {}
      for (const [subject, count] of Object.entries(info.state.subjects ?? {})) stream.byTenant[subject.split('.').slice(2).join('.')] = count
    } catch (error) {
      stream.unavailable = (error as Error).message
    }
  }
  return streams
}

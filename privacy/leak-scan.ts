// The leak scanner, defence in depth against a policy gap: runs the PII detectors over every
// String column of every table of one tenant (the newest N rows per table, by its time
// column) and reports values that look personal and are not pseudonyms: table, column,
// detector, how many rows, and a sample that is itself a pseudonym, never the value.
// The sample is the span's pseudonym under the tenant's newest live key (what an erasure
// of that subject computes), or, without the keyring, a truncated SHA-256 labelled as such.
// Pseudonyms (`p_k<version>_` + 22 characters) are cut out before detection, and an IP
// address already truncated (`203.0.113.0`) is no finding.
import { createHash } from 'node:crypto'
import { detectPii } from '../pii/detect-pii.ts'
import { truncateIp } from '../pii/ip-detector.ts'
import type { PiiKind, PiiSpan } from '../pii/span.ts'
import { computePseudonym, type TenantKey } from '../keyring/pseudonymiser.ts'
import { localTablesBehindDistributed } from '../storage/clickhouse-layout.ts'
import { internalQueryLimits } from '../storage/query-limits.ts'
import type { Actor, AdminContext } from './admin-context.ts'
import { audited } from './audited-operation.ts'
import { tableRules } from './column-classes.ts'
import { leakScanMetrics } from './leak-scan-metrics.ts'

export interface LeakFinding {
  table: string
  column: string
  detector: PiiKind
  /** Rows scanned whose value in this column holds at least one such span. */
  count: number
  /** The first span found, as a pseudonym (or a truncated hash, see `sampleKind`). */
  sample: string
}

export interface LeakScanResult {
  tenant: string
  rowsPerTable: number
  rowsScanned: number
  valuesScanned: number
  tables: { table: string; rowsScanned: number; columns: string[] }[]
  findings: LeakFinding[]
  /** `pseudonym`: under the tenant's key version `keyVersion`; `sha256-truncated`: the first 64 bits of SHA-256 of kind and value, unkeyed (a phone number's can be found by trying them all: treat it as personal). */
  sampleKind: 'pseudonym' | 'sha256-truncated'
  keyVersion?: number
}

const pseudonymRe = /p_k\d+_[A-Za-z0-9_-]{22}/g
const identifierRe = /^[A-Za-z_][A-Za-z0-9_]*$/
const maxCachedValues = 100_000

interface ScanTarget {
  table: string
  columns: string[]
  orderBy?: string
}

async function query<T>(admin: AdminContext, sql: string, params: Record<string, unknown>): Promise<T[]> {
  const result = await admin.clickhouse.query({ query: sql, query_params: params, format: 'JSONEachRow', clickhouse_settings: internalQueryLimits() })
  return result.json<T>()
}

/** Stored tables with a tenant column (on shards the Distributed tables, not their local ones), and their String columns (arrays and simple aggregates of strings included). */
async function scanTargets(admin: AdminContext): Promise<ScanTarget[]> {
  const found = await query<{ table: string; engine: string; name: string; type: string }>(
    admin,
    `SELECT c.table AS table, t.engine AS engine, c.name AS name, c.type AS type FROM system.columns AS c
     INNER JOIN system.tables AS t ON t.database = c.database AND t.name = c.table
     WHERE c.database = {database:String} AND (t.engine = 'Distributed' OR t.engine LIKE '%MergeTree')
     ORDER BY c.table, c.position`,
    { database: admin.database },
  )
  const behind = localTablesBehindDistributed(found.map((c) => ({ name: c.table, engine: c.engine })))
  const byTable = new Map<string, { names: Set<string>; strings: string[] }>()
  for (const { table, name, type } of found) {
    if (behind.has(table)) continue
    const entry = byTable.get(table) ?? { names: new Set(), strings: [] }
    byTable.set(table, entry)
    entry.names.add(name)
    if (/String/.test(type) && !type.startsWith('AggregateFunction(') && name !== 'tenant' && identifierRe.test(name)) entry.strings.push(name)
  }
  const targets: ScanTarget[] = []
  for (const [table, { names, strings }] of byTable) {
    if (!names.has('tenant') || strings.length === 0 || !identifierRe.test(table)) continue
    const from = tableRules.get(table)?.ttl?.from
    targets.push({ table, columns: strings, orderBy: from && names.has(from) ? from : undefined })
  }
  return targets
}

/** The newest live key of the tenant, without creating one; undefined without the keyring or a key. */
async function sampleKey(admin: AdminContext, tenant: string): Promise<TenantKey | undefined> {
  if (!admin.nats) return undefined
  const keys = await admin.nats.keyring.liveKeys(tenant)
  return keys.at(-1)
}

function isTruncatedIp(value: string, span: PiiSpan): boolean {
  const text = value.slice(span.start, span.end)
  return span.kind === 'ip' && truncateIp(text) === text
}

export async function scanTenant(admin: AdminContext, tenant: string, rowsPerTable = admin.config.leakScanRows): Promise<LeakScanResult> {
  const key = await sampleKey(admin, tenant)
  const sample = (span: PiiSpan): string =>
    key ? computePseudonym(key, span.kind, span.normalised) : `sha256:${createHash('sha256').update(span.kind).update('\0').update(span.normalised).digest('hex').slice(0, 16)}`
  const detect = admin.policy.detectOptions(tenant)
  const cache = new Map<string, PiiSpan[]>()
  const spansOf = (value: string): PiiSpan[] => {
    let spans = cache.get(value)
    if (spans === undefined) {
      const text = value.replace(pseudonymRe, ' ')
      spans = detectPii(text, detect).filter((span) => !isTruncatedIp(text, span))
      if (cache.size < maxCachedValues) cache.set(value, spans)
    }
    return spans
  }
  const findings = new Map<string, LeakFinding>()
  const result: LeakScanResult = { tenant, rowsPerTable, rowsScanned: 0, valuesScanned: 0, tables: [], findings: [], sampleKind: key ? 'pseudonym' : 'sha256-truncated' }
  if (key) result.keyVersion = key.version
  for (const target of await scanTargets(admin)) {
    // Table and column names come from system.columns and are checked as identifiers.
    const select = target.columns.map((c) => `toString(\`${c}\`) AS \`${c}\``).join(', ')
    const order = target.orderBy ? ` ORDER BY \`${target.orderBy}\` DESC` : ''
    const rows = await query<Record<string, string>>(
      admin,
      `SELECT ${select} FROM ${admin.database}.\`${target.table}\` WHERE tenant = {tenant:String}${order} LIMIT {rows:UInt32}`,
      { tenant, rows: rowsPerTable },
    )
    for (const row of rows) {
      for (const column of target.columns) {
        const value = row[column]
        if (!value) continue
        result.valuesScanned++
        const seen = new Set<PiiKind>()
        for (const span of spansOf(value)) {
          if (seen.has(span.kind)) continue
          seen.add(span.kind)
          const id = `${target.table}\0${column}\0${span.kind}`
          const finding = findings.get(id)
          if (finding) finding.count++
          else findings.set(id, { table: target.table, column, detector: span.kind, count: 1, sample: sample(span) })
        }
      }
      // Detection is synchronous: let the API answer other requests between batches.
      if (++result.rowsScanned % 500 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    result.tables.push({ table: target.table, rowsScanned: rows.length, columns: target.columns })
  }
  result.findings = [...findings.values()]
  const metrics = admin.registry ? leakScanMetrics(admin.registry) : undefined
  metrics?.rows.inc(result.rowsScanned)
  for (const f of result.findings) metrics?.findings.inc({ table: f.table, column: f.column, detector: f.detector }, f.count)
  return result
}

/** One tenant's scan, audited as `leak-scan.run` with its counts (never a sample). */
export function runLeakScan(admin: AdminContext, actor: Actor, tenant: string, options: { rowsPerTable?: number; trigger?: 'request' | 'schedule' } = {}): Promise<LeakScanResult> {
  return audited(
    admin,
    actor,
    { operation: 'leak-scan.run', tenant, target: tenant },
    async () => {
      const result = await scanTenant(admin, tenant, options.rowsPerTable)
      if (admin.registry) leakScanMetrics(admin.registry).scans.inc({ trigger: options.trigger ?? 'request' })
      const level = result.findings.length > 0 ? 'warn' : 'info'
      admin.log[level]({ tenant, rowsScanned: result.rowsScanned, findings: result.findings.length, values: result.findings.reduce((n, f) => n + f.count, 0) }, 'leak scan done')
      return result
    },
    (result) => ({
      rowsPerTable: result.rowsPerTable,
      rowsScanned: result.rowsScanned,
      valuesScanned: result.valuesScanned,
      tables: result.tables.length,
      findings: result.findings.length,
      byDetector: result.findings.reduce<Record<string, number>>((by, f) => ((by[f.detector] = (by[f.detector] ?? 0) + f.count), by), {}),
    }),
  )
}

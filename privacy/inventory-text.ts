// The inventory as readable text (`callmask inventory`, GET /v1/admin/inventory?format=text).
import type { Inventory, InventoryTable, StreamFacts } from './inventory.ts'

const pad = (text: string, width: number) => (text.length >= width ? text + ' ' : text + ' '.repeat(width - text.length))

function tableText(table: InventoryTable): string[] {
  const lines = [`${table.name} (${table.kind}, ${table.engine}): ${table.purpose}`]
  if (table.derivedFrom) lines.push(`  ${table.kind === 'materialized view' ? 'writes into' : 'reads'}: ${table.derivedFrom}`)
  if (table.ttl) lines.push(`  kept: until ${table.ttl.from} + ${table.ttl.days} days (each row carries its days)`)
  if (table.rows) {
    const tenants = Object.entries(table.rows.byTenant).map(([t, n]) => `${t} ${n}`)
    lines.push(`  rows: ${table.rows.total}${tenants.length > 0 ? ` (${tenants.join(', ')})` : ''}`)
  }
  for (const r of table.storedRetention ?? []) {
    const days = [r.retentionDays !== undefined ? `retention_days ${r.retentionDays}` : '', r.aggregateRetentionDays !== undefined ? `aggregate_retention_days ${r.aggregateRetentionDays}` : ''].filter(Boolean)
    lines.push(`  stored retention: tenant ${r.tenant || '(none)'}: ${days.join(', ')}: ${r.rows} rows`)
  }
  const width = Math.max(...table.columns.map((c) => c.name.length)) + 2
  for (const column of table.columns) {
    const fields = column.fields ? ` [${column.fields.map((f) => `${f.field}: ${f.action}`).join('; ')}]` : ''
    lines.push(`    ${pad(column.name, width)}${pad(column.class ?? 'UNCLASSIFIED', 23)}${column.meaning ?? ''}${fields}`)
  }
  return lines
}

function streamText(stream: StreamFacts): string {
  const live = stream.unavailable
    ? ` (not read: ${stream.unavailable})`
    : `; now ${stream.messages ?? 0} messages, ${stream.bytes ?? 0} bytes${Object.keys(stream.byTenant ?? {}).length > 0 ? ` (${Object.entries(stream.byTenant ?? {}).map(([t, n]) => `${t} ${n}`).join(', ')})` : ''}`
  return `  ${stream.name}: ${stream.purpose}. ${stream.retention}; maximum age ${stream.maxAgeHours} h${live}`
}

export function inventoryText(inventory: Inventory): string {
  const { retention, keys } = inventory
  const lines = [
    `callmask record of processing (GDPR Art. 30), database ${inventory.database} (${inventory.storage}), ${inventory.generatedAt}`,
    '',
    'Retention',
    `  defaults: raw rows ${retention.defaults.rawDays} days, aggregates ${retention.defaults.aggregateDays} days, audit log ${retention.defaults.auditDays} days`,
    ...retention.tenants.map((t) => `  tenant ${t.tenant}: raw ${t.rawDays} days (${t.rawSource}), aggregates ${t.aggregateDays} days (${t.aggregateSource})`),
    '',
    'Dropped at ingest',
    `  ${inventory.droppedAtIngest.rule}`,
    `  named with drop: ${inventory.droppedAtIngest.fields.join(', ') || 'none'}`,
    `  report types dropped whole: ${inventory.droppedAtIngest.reportTypes.join(', ') || 'none'}`,
    '',
    'Tenant keys',
    `  where: ${keys.where}`,
    `  sealing: ${keys.sealing}; master key: ${keys.masterKey}`,
    `  kept: ${keys.kept}`,
    ...(keys.unavailable ? [`  (${keys.unavailable})`] : []),
    ...(keys.tenants ?? []).map((t) => `  tenant ${t.tenant}: current version ${t.current ?? 'none'}, live ${t.versions.join(', ') || 'none'}, destroyed ${t.destroyed.join(', ') || 'none'}`),
    '',
    'Raw frames (JetStream)',
    ...inventory.rawFrames.map(streamText),
    '',
    `Audit log: table ${inventory.auditLog.table}, kept ${inventory.auditLog.retentionDays} days, ${inventory.auditLog.rows} rows`,
    '',
    'Tables and columns',
    ...inventory.tables.flatMap((t) => [...tableText(t), '']),
  ]
  if (inventory.unclassified.length > 0) lines.push(`UNCLASSIFIED (a gap in this record): ${inventory.unclassified.join(', ')}`)
  return lines.join('\n') + '\n'
}

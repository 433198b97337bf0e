// Applies the versioned SQL files in schemas/migrations at start-up, once each, in order.
// Idempotent: applied versions are recorded, and every statement is IF NOT EXISTS anyway.
import type { ClickHouseClient } from '@clickhouse/client'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ClickHouseLayout } from './clickhouse-layout.ts'
import { clusterStatement } from './cluster-migrations.ts'
import { insertThroughSettings } from './mutation-target.ts'
import { shardedStatements, shardedTablesOf } from './sharded-migrations.ts'

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas', 'migrations')

export interface Migration {
  version: number
  name: string
  statements: string[]
}

/** The database name is validated by the config schema (an identifier), never user input. */
export function loadMigrations(database: string): Migration[] {
  return readdirSync(migrationsDir)
    .filter((file) => /^\d+_.+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(migrationsDir, file), 'utf8').replaceAll('{db}', database)
      const statements = sql
        .split(/;\s*$/m)
        .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
        .filter((s) => s.length > 0)
      return { version: Number(file.split('_')[0]), name: file, statements }
    })
}

/** The statements a layout runs for the migrations (and the version table first, as version 0). */
export function migrationsFor(database: string, layout: ClickHouseLayout): Migration[] {
  const versionTable: Migration = {
    version: 0,
    name: 'schema_migrations',
    statements: [`CREATE DATABASE IF NOT EXISTS ${database}`, `CREATE TABLE IF NOT EXISTS ${database}.schema_migrations (version UInt32, name String, applied_at DateTime DEFAULT now()) ENGINE = MergeTree ORDER BY version`],
  }
  const migrations = [versionTable, ...loadMigrations(database)]
  const { cluster } = layout
  if (!cluster) return migrations
  if (!layout.sharded) return migrations.map((m) => ({ ...m, statements: m.statements.map((s) => clusterStatement(s, cluster)) }))
  // schema_migrations is sharded like the data tables: every node reads the versions through
  // its Distributed table, whichever node applied them.
  const shards = { cluster, database, tables: shardedTablesOf(migrations.flatMap((m) => m.statements)) }
  return migrations.map((m) => ({ ...m, statements: m.statements.flatMap((s) => shardedStatements(s, shards)) }))
}

/** `layout`: one server (default), or a cluster's variant (cluster-migrations.ts, sharded-migrations.ts). */
export async function applyMigrations(client: ClickHouseClient, database: string, layout: ClickHouseLayout = {}): Promise<string[]> {
  const [versionTable, ...migrations] = migrationsFor(database, layout)
  for (const statement of versionTable!.statements) await client.command({ query: statement })
  const result = await client.query({ query: `SELECT version FROM ${database}.schema_migrations`, format: 'JSONEachRow' })
  const applied = new Set((await result.json<{ version: number }>()).map((row) => Number(row.version)))
  const done: string[] = []
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue
    for (const statement of migration.statements) await client.command({ query: statement })
    await client.insert({
      table: `${database}.schema_migrations`,
      values: [{ version: migration.version, name: migration.name }],
      format: 'JSONEachRow',
      clickhouse_settings: { async_insert: 0, ...insertThroughSettings(layout) },
    })
    done.push(migration.name)
  }
  return done
}

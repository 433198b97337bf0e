// Applies the versioned SQL files in schemas/migrations at start-up, once each, in order.
// Idempotent: applied versions are recorded, and every statement is IF NOT EXISTS anyway.
import type { ClickHouseClient } from '@clickhouse/client'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { clusterStatement } from './cluster-migrations.ts'

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

/** `cluster`: apply the cluster variant (cluster-migrations.ts) on that ClickHouse cluster. */
export async function applyMigrations(client: ClickHouseClient, database: string, options: { cluster?: string | undefined } = {}): Promise<string[]> {
  const { cluster } = options
  const ddl = (statement: string) => client.command({ query: cluster ? clusterStatement(statement, cluster) : statement })
  await ddl(`CREATE DATABASE IF NOT EXISTS ${database}`)
  await ddl(`CREATE TABLE IF NOT EXISTS ${database}.schema_migrations (version UInt32, name String, applied_at DateTime DEFAULT now()) ENGINE = MergeTree ORDER BY version`)
  const result = await client.query({ query: `SELECT version FROM ${database}.schema_migrations`, format: 'JSONEachRow' })
  const applied = new Set((await result.json<{ version: number }>()).map((row) => Number(row.version)))
  const done: string[] = []
  for (const migration of loadMigrations(database)) {
    if (applied.has(migration.version)) continue
    for (const statement of migration.statements) await ddl(statement)
    await client.insert({
      table: `${database}.schema_migrations`,
      values: [{ version: migration.version, name: migration.name }],
      format: 'JSONEachRow',
      clickhouse_settings: { async_insert: 0 },
    })
    done.push(migration.name)
  }
  return done
}

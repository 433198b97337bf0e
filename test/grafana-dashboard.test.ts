// The provisioned Grafana dashboard (deploy/grafana) reads the analyst views: every panel's
// SQL, with Grafana's macros and the tenant variable filled in as Grafana would, runs on
// ClickHouse against the real migrations and returns the columns the panel plots.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyMigrations } from '../storage/migrations.ts'
import { createTestWorld, type TestWorld } from './support/test-pipeline.ts'

interface Panel {
  title: string
  type: string
  datasource: { uid: string }
  targets: { rawSql: string; format: number }[]
}
const dashboard = JSON.parse(readFileSync('deploy/grafana/dashboards/callmask-quality.json', 'utf8')) as { uid: string; panels: Panel[]; templating: { list: { name: string; query: string }[] } }
const datasource = readFileSync('deploy/grafana/provisioning/datasources/clickhouse.yml', 'utf8')

// What the ClickHouse plugin and Grafana's templating do to a query before it runs.
const filled = (sql: string, database: string) =>
  sql
    .replace(/\$__timeFilter\((\w+)\)/g, "$1 >= toDateTime('2026-01-01 00:00:00') AND $1 <= now()")
    .replaceAll('${tenant}', 'acme')
    .replaceAll('callmask.', `${database}.`)

describe('Grafana dashboard', () => {
  let world: TestWorld
  beforeAll(async () => {
    world = await createTestWorld()
    await applyMigrations(world.clickhouse, world.database)
  })
  afterAll(async () => world?.close())

  it('has the built-in page\'s panels, all on the provisioned ClickHouse data source', () => {
    expect(datasource).toContain('uid: callmask-clickhouse')
    expect(datasource).toContain('type: grafana-clickhouse-datasource')
    const titles = dashboard.panels.map((p) => p.title).join(' | ')
    for (const part of ['MOS', 'Loss', 'Jitter', 'RTT', 'Worst calls', 'Live issues']) expect(titles).toContain(part)
    for (const panel of dashboard.panels) {
      expect(panel.datasource.uid, panel.title).toBe('callmask-clickhouse')
      for (const target of panel.targets) {
        expect(target.rawSql, panel.title).toMatch(/FROM callmask\.(quality_per_minute|call_summaries|active_issues)\b/)
        expect(target.rawSql, panel.title).toContain("tenant = '${tenant}'")
      }
    }
  })

  it('every panel query and the tenant variable run on the real schema', async () => {
    const queries = [...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ title: p.title, sql: t.rawSql }))), ...dashboard.templating.list.map((v) => ({ title: v.name, sql: v.query }))]
    expect(queries.length).toBe(dashboard.panels.length + 1)
    for (const { title, sql } of queries) {
      const result = await world.clickhouse.query({ query: filled(sql, world.database), format: 'JSONCompactEachRowWithNames' })
      const [names] = (await result.json()) as unknown as [string[]]
      expect(names.length, title).toBeGreaterThan(0)
      if (/^(MOS|Loss|Jitter|RTT)/.test(title)) expect(names[0], title).toBe('time')
    }
  })
})

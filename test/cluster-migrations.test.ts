// The migrations' cluster variant (CLICKHOUSE_CLUSTER): every statement of every migration
// is rewritten to run ON CLUSTER with Replicated engines, and ClickHouse's own parser
// (chdb's formatQuery) accepts each one. No cluster runs here; the rewrite and its syntax are
// what can be checked. The sharded variant: test/sharded-migrations.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clusterStatement } from '../storage/cluster-migrations.ts'
import { loadMigrations } from '../storage/migrations.ts'
import { createTestWorld, type TestWorld } from './support/test-pipeline.ts'

describe('cluster variant of the migrations', () => {
  let world: TestWorld
  beforeAll(async () => {
    world = await createTestWorld()
  })
  afterAll(async () => world?.close())

  const statements = loadMigrations('callmask').flatMap((m) => m.statements.map((s) => ({ file: m.name, s })))

  it('rewrites every DDL statement to ON CLUSTER and every MergeTree engine to its Replicated one', () => {
    expect(statements.length).toBeGreaterThan(10)
    for (const { file, s } of statements) {
      const out = clusterStatement(s, 'callmask_cluster')
      expect(out, file).toMatch(/^(CREATE (TABLE|VIEW|MATERIALIZED VIEW) IF NOT EXISTS|ALTER TABLE) callmask\.\w+ ON CLUSTER callmask_cluster/)
      expect(out, file).not.toMatch(/ENGINE = (?!Replicated)\w*MergeTree/)
      expect(out, file).not.toMatch(/non_replicated_deduplication_window/)
      if (/ENGINE = MergeTree/.test(s)) expect(out).toContain('ENGINE = ReplicatedMergeTree')
      if (/ENGINE = AggregatingMergeTree/.test(s)) expect(out).toContain('ENGINE = ReplicatedAggregatingMergeTree')
      // The erasure list too: every replica's processors read the same list.
      if (/ENGINE = ReplacingMergeTree/.test(s)) expect(out).toContain('ENGINE = ReplicatedReplacingMergeTree')
    }
  })

  it('ClickHouse parses every rewritten statement', async () => {
    for (const { file, s } of statements) {
      const query = clusterStatement(s, 'callmask_cluster')
      const [row] = await world.query<{ q: string }>('SELECT formatQuery({query:String}) AS q', { query })
      expect(row?.q, file).toContain('ON CLUSTER callmask_cluster')
    }
  })
})

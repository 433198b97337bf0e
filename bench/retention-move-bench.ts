// Question: how long does re-applying a tenant's retention (storage/retention-move.ts) take
// per 100k raw rows on chdb? Method: a fresh chdb store with the migrations, N rtp_samples
// rows per tenant for two tenants (inserted through the materialised views, so the aggregate
// tables fill too), then one move of tenant `a` to new raw and aggregate retentions, timed;
// baseline: the same INSERT SELECT of the tenant's rows into a view-less copy, in the same run.
// Prints JSON, then one human line. `npx tsx bench/retention-move-bench.ts [rowsPerTenant]`
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectClickHouse } from '../storage/clickhouse-connection.ts'
import { applyMigrations } from '../storage/migrations.ts'
import { applyTenantRetention } from '../storage/retention-move.ts'

const rows = Number(process.argv[2] ?? 100_000)
const dir = mkdtempSync(join(tmpdir(), 'callmask-retention-bench-'))
const { client } = connectClickHouse({ chdbPath: dir })
const db = 'bench'
await applyMigrations(client, db)
await client.command({
  query: `INSERT INTO ${db}.rtp_samples (tenant, ts, report_ts, retention_days, aggregate_retention_days, conference_id, participant_id, session_id, seq, report_type, report_id, kind, codec, interval_state, packets_received, bytes_received, jitter, mos, interval_loss_fraction, interval_bitrate_bps)
    SELECT if(number % 2 = 0, 'a', 'b'), now64(3) - toIntervalMillisecond(number * 500), now64(3) - toIntervalMillisecond(number * 500), 30, 395, 'room-' || toString(number % 50), 'p_k1_' || hex(cityHash64(number % 400)), 's' || toString(intDiv(number, 1000)), number, 'inbound-rtp', 'IT01A' || toString(number % 4), 'audio', 'opus', 'ok', number, number * 100, 0.01, 4.2, 0.001, 32000
    FROM numbers(${rows * 2})`,
})
const t0 = performance.now()
await client.command({ query: `CREATE TABLE ${db}.baseline AS ${db}.rtp_samples` })
await client.command({ query: `INSERT INTO ${db}.baseline SELECT * FROM ${db}.rtp_samples WHERE tenant = 'a'` })
const baselineMs = performance.now() - t0
const t1 = performance.now()
const result = await applyTenantRetention(client, db, 'a', { rawDays: 7, aggregateDays: 100 })
const moveMs = performance.now() - t1
const figures = { rowsPerTenant: rows, moveMs: Math.round(moveMs), msPer100kRawRows: Math.round((moveMs / rows) * 100_000), baselineCopyMs: Math.round(baselineMs), moved: result.moved, passes: result.passes }
console.log(JSON.stringify(figures))
console.log(`moved ${rows} raw rows of one tenant (and its aggregates) in ${figures.moveMs} ms: ${figures.msPer100kRawRows} ms per 100k rows; a plain copy of those rows took ${figures.baselineCopyMs} ms`)
await client.close()
rmSync(dir, { recursive: true, force: true })

// The periodic leak scan (CALLMASK_LEAK_SCAN_INTERVAL_MIN, off by default): every interval,
// each tenant with stored rows is scanned as `runLeakScan` does on request, audited with the
// job as its actor, and counted in callmask_leak_scan_findings_total. One round at a time;
// stop() waits for a running round to end.
import { internalQueryLimits } from '../storage/query-limits.ts'
import type { Actor, AdminContext } from './admin-context.ts'
import { runLeakScan } from './leak-scan.ts'

export const leakScanJobActor: Actor = { keyId: 'leak-scan-job', role: 'system' }

export interface LeakScanJob {
  /** Rounds finished so far. */
  readonly rounds: number
  stop(): Promise<void>
}

/** The tenants with rows in the raw tables, where every leak starts. */
async function tenantsWithRows(admin: AdminContext): Promise<string[]> {
  const result = await admin.clickhouse.query({
    // The database name is validated by the config schema (an identifier).
    query: `SELECT DISTINCT tenant FROM (${['rtp_samples', 'connection_samples', 'call_events'].map((t) => `SELECT toString(tenant) AS tenant FROM ${admin.database}.${t}`).join(' UNION ALL ')}) ORDER BY tenant`,
    format: 'JSONEachRow',
    clickhouse_settings: internalQueryLimits(),
  })
  return (await result.json<{ tenant: string }>()).map((r) => r.tenant)
}

export function startLeakScanJob(admin: AdminContext, options: { intervalMs: number; rowsPerTable?: number }): LeakScanJob {
  const log = admin.log.child({ module: 'leak-scan-job' })
  let stopped = false
  let rounds = 0
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  async function round(): Promise<void> {
    for (const tenant of await tenantsWithRows(admin)) {
      if (stopped) return
      await runLeakScan(admin, leakScanJobActor, tenant, { rowsPerTable: options.rowsPerTable, trigger: 'schedule' })
    }
  }
  function schedule(): void {
    if (stopped) return
    timer = setTimeout(() => {
      running = round()
        .then(() => void rounds++)
        .catch((error: Error) => log.error({ err: error.message }, 'a leak scan round failed'))
        .finally(() => {
          running = undefined
          schedule()
        })
    }, options.intervalMs)
    timer.unref()
  }
  schedule()
  return {
    get rounds() {
      return rounds
    },
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}

// The leak scanner's metrics, one set per registry (the on-demand route and the periodic job
// share it). Labels are table, column and detector names: never a value.
import { Counter, type Registry } from 'prom-client'

export interface LeakScanMetrics {
  findings: Counter<'table' | 'column' | 'detector'>
  rows: Counter
  scans: Counter<'trigger'>
}

const byRegistry = new WeakMap<Registry, LeakScanMetrics>()

export function leakScanMetrics(registry: Registry): LeakScanMetrics {
  let metrics = byRegistry.get(registry)
  if (!metrics) {
    metrics = {
      findings: new Counter({
        name: 'callmask_leak_scan_findings_total',
        help: 'Stored values that looked personal and were not pseudonyms, by table, column and detector (alert on any increase)',
        labelNames: ['table', 'column', 'detector'],
        registers: [registry],
      }),
      rows: new Counter({ name: 'callmask_leak_scan_rows_total', help: 'Rows the leak scanner read', registers: [registry] }),
      scans: new Counter({ name: 'callmask_leak_scans_total', help: 'Tenant leak scans run, by trigger (request or schedule)', labelNames: ['trigger'], registers: [registry] }),
    }
    byRegistry.set(registry, metrics)
  }
  return metrics
}

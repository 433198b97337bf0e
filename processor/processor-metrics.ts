// Prometheus metrics of the processor stage: throughput, batch sizes, insert latency,
// dead letters and JetStream lag. Labels carry table names and outcomes, never identifiers.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

export function createProcessorMetrics(registry: Registry) {
  let oldestHeldSeconds = () => 0
  return {
    oldestHeld: Object.assign(
      new Gauge({
        name: 'callmask_processor_oldest_unacked_seconds',
        help: 'Age of the oldest message the processor holds without having acked it (a stuck ClickHouse writer shows here)',
        registers: [registry],
        collect() {
          this.set(oldestHeldSeconds())
        },
      }),
      { onScrape: (read: () => number) => void (oldestHeldSeconds = read) },
    ),
    erasedRowsDropped: new Counter({
      name: 'callmask_processor_erased_rows_dropped_total',
      help: 'Rows not inserted because they carry the pseudonym of an erased data subject (the erasure list)',
      registers: [registry],
    }),
    droppedReports: new Counter({
      name: 'callmask_processor_dropped_reports_total',
      help: 'Reports of a type the policy does not name, dropped (label: W3C type name, or other)',
      labelNames: ['report_type'],
      registers: [registry],
    }),
    droppedFields: new Counter({
      name: 'callmask_processor_dropped_fields_total',
      help: 'Fields the policy does not name, dropped (label: W3C report type, call, or other)',
      labelNames: ['report_type'],
      registers: [registry],
    }),
    repairedStrings: new Counter({
      name: 'callmask_processor_repaired_strings_total',
      help: 'Strings whose lone surrogates were replaced by U+FFFD before storage',
      registers: [registry],
    }),
    messages: new Counter({ name: 'callmask_processor_messages_total', help: 'Messages stored in ClickHouse and acknowledged', registers: [registry] }),
    rows: new Counter({ name: 'callmask_processor_rows_total', help: 'Rows inserted into ClickHouse', registers: [registry] }),
    deadLettered: new Counter({
      name: 'callmask_processor_dead_lettered_total',
      help: 'Messages sent to the dead-letter stream, by tenant and reason (schema, undecodable, envelope, time, other); ingest acknowledged them after checking the envelope only',
      labelNames: ['tenant', 'reason'],
      registers: [registry],
    }),
    stalePurged: new Counter({
      name: 'callmask_processor_stale_frames_purged_total',
      help: 'Processed frames the nats-server had kept after an unclean stop, purged by the stream janitor',
      registers: [registry],
    }),
    duplicatesRemoved: new Counter({
      name: 'callmask_processor_duplicate_frames_removed_total',
      help: 'Frames this processor wrote after another processor had written them (both held the message), its copy removed and the aggregates rebuilt; by table and tenant',
      labelNames: ['table', 'tenant'],
      registers: [registry],
    }),
    duplicateRepairsFailed: new Counter({
      name: 'callmask_processor_duplicate_repairs_failed_total',
      help: 'Frames written twice whose later copy this processor failed to remove (run callmask duplicates <tenant> --repair); by table and tenant',
      labelNames: ['table', 'tenant'],
      registers: [registry],
    }),
    issues: new Counter({ name: 'callmask_processor_issue_events_total', help: 'Live issue starts and ends stored and published on callmask.issues.<tenant>', registers: [registry] }),
    redelivered: new Counter({ name: 'callmask_processor_redelivered_total', help: 'Messages JetStream delivered more than once', registers: [registry] }),
    batchRows: new Histogram({
      name: 'callmask_processor_batch_rows',
      help: 'Rows per ClickHouse batch',
      buckets: [10, 100, 500, 1000, 5000, 10000, 50000],
      registers: [registry],
    }),
    flushSeconds: new Histogram({
      name: 'callmask_processor_flush_seconds',
      help: 'Time to store one batch (de-duplication look-up and inserts)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    lag: new Gauge({ name: 'callmask_processor_jetstream_pending', help: 'Messages in the stream not yet delivered to the processor consumer', registers: [registry] }),
  }
}
export type ProcessorMetrics = ReturnType<typeof createProcessorMetrics>

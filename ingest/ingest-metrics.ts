// Prometheus metrics of the ingest stage. Labels carry codes and results, never identifiers.
import { Counter, Gauge, Histogram, Registry } from 'prom-client'

export function createIngestMetrics(registry: Registry) {
  return {
    registry,
    frames: new Counter({ name: 'callmask_ingest_frames_total', help: 'Data frames stored in JetStream', labelNames: ['type'], registers: [registry] }),
    duplicates: new Counter({
      name: 'callmask_ingest_duplicate_frames_total',
      help: 'Data frames JetStream had stored already under their session and seq (resends; acknowledged, not stored again)',
      registers: [registry],
    }),
    bytes: new Counter({ name: 'callmask_ingest_bytes_total', help: 'Bytes of frames received', registers: [registry] }),
    errors: new Counter({ name: 'callmask_ingest_errors_total', help: 'Error frames sent, by code', labelNames: ['code'], registers: [registry] }),
    sessions: new Gauge({ name: 'callmask_ingest_sessions', help: 'Open WebSocket sessions', registers: [registry] }),
    inFlight: new Gauge({ name: 'callmask_ingest_publishes_in_flight', help: 'Publishes awaiting a PubAck', registers: [registry] }),
    publishSeconds: new Histogram({
      name: 'callmask_ingest_publish_seconds',
      help: 'Time from frame received to PubAck',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
  }
}
export type IngestMetrics = ReturnType<typeof createIngestMetrics>

// What the privacy officer's operations (erasure, export, retention, inventory, notice, leak
// scan, people's keys) run against. The HTTP admin API builds one per process and every
// operation takes it; the CLI (`callmask <command>`) calls that API, so both share one
// implementation and one audit trail.
import type { ClickHouseClient } from '@clickhouse/client'
import type { NatsConnection } from '@nats-io/nats-core'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { ApiKeyEntry, Config, IngestKeyEntry } from '../lib/config.ts'
import type { Keyring } from '../keyring/keyring.ts'
import type { CompiledPolicy } from '../policy/load-policy.ts'
import type { AuditLog } from './audit-log.ts'

export interface AdminContext {
  clickhouse: ClickHouseClient
  database: string
  config: Readonly<Config>
  policy: CompiledPolicy
  audit: AuditLog
  log: Logger
  /** Where operations count what they found (the leak scanner's findings); unset: not counted. */
  registry?: Registry
  /** NATS as callmask's admin user with the keyring (master key loaded); undefined when this
   * process has no admin credentials, and the operations that need JetStream say so. */
  nats?: { nc: NatsConnection; keyring: Keyring }
  /** The static keys this process accepts (configuration plus embedded mode's own), for the
   * key list; unset: those of `config`. */
  staticKeys?: { ingest: readonly IngestKeyEntry[]; api: readonly ApiKeyEntry[] }
}

/** The principal an operation runs for, as the audit log records it. */
export interface Actor {
  keyId: string
  role: string
}

// A tenant's run-time settings, set by the privacy officer through the admin API and read by
// every processor: today its retention of raw rows and of aggregates. They live in the
// JetStream KV bucket `callmask_tenant_settings` (one entry `tenant.<id>`): every processor
// already has NATS and reads the keyring the same way, and the bucket survives restarts with
// the rest of JetStream. Admin writes it; the processor's NATS user may only read it
// (lib/nats-credentials.ts). A processor reads a tenant's entry at most every `refreshMs`, so
// a change reaches every new row within that bound (the admin waits it out before it moves
// existing rows).
import { JetStreamApiError } from '@nats-io/jetstream'
import { Kvm, type KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/nats-core'
import type { Logger } from 'pino'
import { CallmaskError } from './errors.ts'
import { isTenantName } from './tenant-name.ts'

export const tenantSettingsBucket = 'callmask_tenant_settings'
export const tenantSettingsStream = `KV_${tenantSettingsBucket}`

/** What an entry holds; an absent field falls back to the policy file, then the config. */
export interface TenantRetentionSetting {
  rawDays?: number
  aggregateDays?: number
  /** When it was set (ms since the epoch). */
  updatedAt?: number
}

const entryKey = (tenant: string): string => {
  if (!isTenantName(tenant)) throw new CallmaskError('CALLMASK_ERR_TENANT', 'not a tenant id')
  return `tenant.${tenant}`
}
const validDays = (value: unknown): number | undefined => (Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 3650 ? (value as number) : undefined)

function decode(bytes: Uint8Array): TenantRetentionSetting {
  const doc = JSON.parse(new TextDecoder().decode(bytes)) as { retention?: Record<string, unknown>; updatedAt?: unknown }
  const setting: TenantRetentionSetting = {}
  const rawDays = validDays(doc.retention?.['rawDays'])
  const aggregateDays = validDays(doc.retention?.['aggregateDays'])
  if (rawDays !== undefined) setting.rawDays = rawDays
  if (aggregateDays !== undefined) setting.aggregateDays = aggregateDays
  if (typeof doc.updatedAt === 'number') setting.updatedAt = doc.updatedAt
  return setting
}

/** Admin only: creates the bucket when missing (history 1: the audit log keeps the history; `replicas` copies). */
export async function openTenantSettingsForWriting(nc: NatsConnection, replicas = 1): Promise<KV> {
  return new Kvm(nc).create(tenantSettingsBucket, { history: 1, replicas })
}

/** Reads one tenant's entry; `{}` when it has none or the bucket does not exist yet. */
export async function readTenantRetention(kv: KV, tenant: string): Promise<TenantRetentionSetting> {
  try {
    const entry = await kv.get(entryKey(tenant))
    return entry && entry.operation === 'PUT' ? decode(entry.value) : {}
  } catch (error) {
    if (isMissingBucket(error)) return {}
    throw error
  }
}

/** Replaces the tenant's entry; an empty setting deletes it. */
export async function writeTenantRetention(kv: KV, tenant: string, setting: TenantRetentionSetting): Promise<void> {
  const retention: Record<string, number> = {}
  if (setting.rawDays !== undefined) retention['rawDays'] = setting.rawDays
  if (setting.aggregateDays !== undefined) retention['aggregateDays'] = setting.aggregateDays
  if (Object.keys(retention).length === 0) {
    await kv.delete(entryKey(tenant))
    return
  }
  await kv.put(entryKey(tenant), JSON.stringify({ retention, updatedAt: setting.updatedAt ?? Date.now() }))
}

export interface TenantSettingsReader {
  /** The tenant's run-time retention, at most `refreshMs` old. Throws only when NATS cannot answer and nothing was read before. */
  retention(tenant: string): Promise<TenantRetentionSetting>
}

/** @default refreshMs 2000 */
export function createTenantSettingsReader(nc: NatsConnection, options: { refreshMs?: number | undefined; log?: Logger } = {}): TenantSettingsReader {
  const refreshMs = options.refreshMs ?? 2000
  const kv = new Kvm(nc).open(tenantSettingsBucket)
  const cache = new Map<string, { setting: TenantRetentionSetting; readAt: number }>()
  const inFlight = new Map<string, Promise<TenantRetentionSetting>>()
  let warnedAt = 0

  async function fetch(tenant: string): Promise<TenantRetentionSetting> {
    try {
      const setting = await readTenantRetention(await kv, tenant)
      cache.set(tenant, { setting, readAt: Date.now() })
      return setting
    } catch (error) {
      const stale = cache.get(tenant)
      // Without any value a row would get the wrong retention: let the message be retried.
      if (!stale) throw new CallmaskError('CALLMASK_ERR_TENANT_SETTINGS', 'the tenant settings bucket cannot be read', { cause: error })
      if (Date.now() - warnedAt > 60_000) {
        warnedAt = Date.now()
        options.log?.warn({ err: (error as Error).message }, 'tenant settings cannot be read; using the last value read')
      }
      return stale.setting
    } finally {
      inFlight.delete(tenant)
    }
  }

  return {
    async retention(tenant) {
      const hit = cache.get(tenant)
      if (hit && Date.now() - hit.readAt < refreshMs) return hit.setting
      // Waited for, not served stale: the bound on how old a value can be is what the admin relies on.
      let pending = inFlight.get(tenant)
      if (!pending) inFlight.set(tenant, (pending = fetch(tenant)))
      return pending
    },
  }
}

function isMissingBucket(error: unknown): boolean {
  if (error instanceof JetStreamApiError) return error.code === 10059
  return error instanceof Error && /stream not found/i.test(error.message)
}

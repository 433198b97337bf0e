// Keys for people: create, list and revoke ingest, analyst and admin keys at run time. A key
// is printed once (the create call returns it, nothing else ever does), stored as its
// SHA-256 in the access keys bucket (lib/access-key-store.ts) that every ingest and API
// process reads, and revoked for good: ingest closes its open sessions within a second, the
// API refuses it on the next request. Static keys (CALLMASK_INGEST_KEYS, CALLMASK_API_KEYS)
// are listed beside them but can only be removed from the configuration. Each create and
// revoke is audited with the key id, never the key.
import { JetStreamApiError } from '@nats-io/jetstream'
import type { KV } from '@nats-io/kv'
import { randomBytes } from 'node:crypto'
import {
  accessKeyRoles,
  accessKeyStatus,
  createAccessKeyReader,
  decodeAccessKey,
  encodeAccessKey,
  entryKeyOf,
  formatAccessKey,
  openAccessKeysBucket,
  type AccessKeyRecord,
  type AccessKeyRole,
  type AccessKeyStatus,
} from '../lib/access-key-store.ts'
import { hashKey } from '../lib/key-hash.ts'
import type { Actor, AdminContext } from './admin-context.ts'
import { needsNats, PrivacyOperationError } from './operation-error.ts'
import { isTenantName } from '../lib/tenant-name.ts'

/** What an admin chooses for a new key (`expiresAt` in the future). */
export type CreateKeyInput = Pick<AccessKeyRecord, 'role' | 'tenant' | 'origins' | 'requireOrigin' | 'expiresAt' | 'label'>

/** A key as lists show it: never the key, only the first 8 hex digits of its hash. */
export interface KeyView
  extends Pick<AccessKeyRecord, 'id' | 'role' | 'tenant' | 'origins' | 'requireOrigin' | 'expiresAt' | 'label' | 'revokedAt' | 'revokedBy'>,
    Partial<Pick<AccessKeyRecord, 'createdAt' | 'createdBy'>> {
  /** runtime: created here, revocable; static: from the configuration. */
  source: 'runtime' | 'static'
  revocable: boolean
  status: AccessKeyStatus
  fingerprint: string
  note?: string
}

export interface KeyFilter {
  tenant?: string
  role?: AccessKeyRole
  status?: AccessKeyStatus
}

// scheme://host[:port], as a browser sends it: no path, no trailing slash (it would never match).
const originPattern = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?$/
const maxLifetimeMs = 10 * 366 * 24 * 3600 * 1000
const idAlphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'

function newId(): string {
  // 36^12 ids; rejection sampling keeps every character equally likely.
  let id = ''
  while (id.length < 12) {
    for (const byte of randomBytes(16)) if (byte < 252 && id.length < 12) id += idAlphabet[byte % 36]
  }
  return id
}

const bad = (message: string) => new PrivacyOperationError(400, 'CALLMASK_ERR_BAD_REQUEST', message)

function checkInput(input: CreateKeyInput, now: number): void {
  if (!accessKeyRoles.includes(input.role)) throw bad(`role must be one of ${accessKeyRoles.join(', ')}`)
  if (input.role === 'admin' && input.tenant !== undefined) throw bad('admin keys belong to no tenant: leave tenant out')
  if (input.role !== 'admin' && input.tenant === undefined) throw bad(`${input.role} keys need a tenant`)
  if (input.tenant !== undefined && !isTenantName(input.tenant)) throw bad('tenant must be 1 to 63 lower-case letters, digits, "-" or "_", starting with a letter or digit')
  if (input.role !== 'ingest' && (input.origins !== undefined || input.requireOrigin !== undefined)) throw bad('origins and requireOrigin are for ingest keys only')
  for (const origin of input.origins ?? []) {
    if (!originPattern.test(origin)) throw bad(`origins must be like https://app.example.com (scheme, host, optional port; no path): "${origin.slice(0, 80)}" is not`)
  }
  if (input.expiresAt !== undefined) {
    const at = Date.parse(input.expiresAt)
    if (Number.isNaN(at)) throw bad('expiresAt must be an ISO 8601 date-time')
    if (at <= now) throw bad('expiresAt must be in the future')
    if (at - now > maxLifetimeMs) throw bad('expiresAt may be at most ten years ahead')
  }
  if (input.label !== undefined && (input.label.length > 200 || /[\u0000-\u001f\u007f]/.test(input.label))) throw bad('label must be at most 200 characters, without control characters')
}

const bucketOf = async (admin: AdminContext, operation: string): Promise<KV> => openAccessKeysBucket(needsNats(admin.nats, operation).nc)

/** Creates a key; the answer is the only place the key ever appears. */
export async function createAccessKey(admin: AdminContext, actor: Actor, input: CreateKeyInput): Promise<KeyView & { key: string }> {
  const now = Date.now()
  checkInput(input, now)
  const kv = await bucketOf(admin, 'Creating a key')
  const id = newId()
  const key = formatAccessKey(id, randomBytes(32).toString('base64url'))
  const record: AccessKeyRecord = {
    v: 1,
    id,
    sha256: hashKey(key),
    role: input.role,
    ...(input.tenant !== undefined ? { tenant: input.tenant } : {}),
    ...(input.origins !== undefined ? { origins: [...new Set(input.origins)] } : {}),
    ...(input.requireOrigin !== undefined ? { requireOrigin: input.requireOrigin } : {}),
    ...(input.expiresAt !== undefined ? { expiresAt: new Date(input.expiresAt).toISOString() } : {}),
    ...(input.label !== undefined ? { label: input.label } : {}),
    createdAt: new Date(now).toISOString(),
    createdBy: actor.keyId,
  }
  // `create` refuses an id that exists (a 1 in 36^12 collision): nothing is overwritten.
  await kv.create(entryKeyOf(id), encodeAccessKey(record))
  try {
    await admin.audit.record({
      keyId: actor.keyId,
      role: actor.role,
      tenant: record.tenant ?? '',
      operation: 'keys.create',
      target: id,
      result: 'ok',
      status: 201,
      details: { role: record.role, expiresAt: record.expiresAt ?? null, origins: record.origins?.length ?? 0 },
    })
  } catch (error) {
    // A key nobody can account for must not exist: take it back.
    await kv.purge(entryKeyOf(id)).catch(() => undefined)
    throw error
  }
  admin.log.info({ keyId: id, role: record.role, tenant: record.tenant, by: actor.keyId }, 'access key created')
  return { ...viewOf(record, now), key }
}

/** Every key, run-time and static, filtered; never a key or a whole hash. */
export async function listAccessKeys(admin: AdminContext, filter: KeyFilter = {}): Promise<KeyView[]> {
  const now = Date.now()
  const views: KeyView[] = staticViews(admin)
  if (admin.nats) {
    const reader = await createAccessKeyReader(admin.nats.nc)
    await reader.scan((_id, stored) => {
      if (stored !== 'gone') views.push(viewOf(stored, now))
    })
  }
  return views.filter((v) => (filter.tenant === undefined || v.tenant === filter.tenant) && (filter.role === undefined || v.role === filter.role) && (filter.status === undefined || v.status === filter.status))
}

export interface Revocation {
  id: string
  role: AccessKeyRole
  tenant?: string
  revokedAt: string
  /** It was revoked before this call (nothing changed, nothing audited again). */
  alreadyRevoked: boolean
}

/** Revokes a run-time key for good; a static key's id gets 409, an unknown one 404. */
export async function revokeAccessKey(admin: AdminContext, actor: Actor, id: string): Promise<Revocation> {
  const kv = await bucketOf(admin, 'Revoking a key')
  const record = await readRecord(kv, id)
  if (!record) {
    const configured = staticViews(admin).find((v) => v.id === id)
    if (configured) throw new PrivacyOperationError(409, 'CALLMASK_ERR_STATIC_KEY', `key ${id} is configured statically (${configured.role === 'ingest' ? 'CALLMASK_INGEST_KEYS' : 'CALLMASK_API_KEYS'}): remove it there and restart callmask to revoke it`)
    throw new PrivacyOperationError(404, 'CALLMASK_ERR_NOT_FOUND', `there is no key ${id.slice(0, 64)}`)
  }
  return revoke(admin, kv, actor, record.record, record.revision)
}

/** Revokes every run-time key of a tenant (tenant erasure); returns how many were still usable or expired and are now revoked. */
export async function revokeTenantKeys(admin: AdminContext, actor: Actor, tenant: string): Promise<number> {
  const kv = await bucketOf(admin, "Revoking a tenant's keys")
  const reader = await createAccessKeyReader(admin.nats!.nc)
  const ids: string[] = []
  await reader.scan((id, stored) => {
    if (stored !== 'gone' && stored.tenant === tenant && !stored.revokedAt) ids.push(id)
  })
  let revoked = 0
  for (const id of ids) {
    const found = await readRecord(kv, id)
    if (found && !(await revoke(admin, kv, actor, found.record, found.revision)).alreadyRevoked) revoked += 1
  }
  return revoked
}

async function revoke(admin: AdminContext, kv: KV, actor: Actor, record: AccessKeyRecord, revision: number): Promise<Revocation> {
  for (let attempt = 0; ; attempt++) {
    if (record.revokedAt) return { id: record.id, role: record.role, tenant: record.tenant, revokedAt: record.revokedAt, alreadyRevoked: true }
    const revokedAt = new Date().toISOString()
    const next: AccessKeyRecord = { ...record, revokedAt, revokedBy: actor.keyId }
    try {
      await kv.update(entryKeyOf(record.id), encodeAccessKey(next), revision)
    } catch (error) {
      // Someone else wrote it meanwhile (another revocation): read it again and decide.
      if (attempt > 2 || !isRevisionConflict(error)) throw error
      const again = await readRecord(kv, record.id)
      if (!again) throw error
      ;({ record, revision } = again)
      continue
    }
    await admin.audit.record({ keyId: actor.keyId, role: actor.role, tenant: record.tenant ?? '', operation: 'keys.revoke', target: record.id, result: 'ok', status: 200, details: { role: record.role } })
    admin.log.info({ keyId: record.id, role: record.role, tenant: record.tenant, by: actor.keyId }, 'access key revoked')
    return { id: record.id, role: record.role, tenant: record.tenant, revokedAt, alreadyRevoked: false }
  }
}

async function readRecord(kv: KV, id: string): Promise<{ record: AccessKeyRecord; revision: number } | undefined> {
  if (!/^[a-z0-9]{12}$/.test(id)) return undefined
  const entry = await kv.get(entryKeyOf(id))
  if (!entry || entry.operation !== 'PUT') return undefined
  const record = decodeAccessKey(entry.value)
  return record ? { record, revision: entry.revision } : undefined
}

function viewOf(record: AccessKeyRecord, now: number): KeyView {
  const { sha256, v: _v, ...rest } = record
  return { ...rest, source: 'runtime', revocable: !record.revokedAt, status: accessKeyStatus(record, now), fingerprint: sha256.slice(0, 8) }
}

function staticViews(admin: AdminContext): KeyView[] {
  const keys = admin.staticKeys ?? { ingest: admin.config.ingestKeys ?? [], api: admin.config.apiKeys ?? [] }
  const note = (variable: string) => `static key (${variable}, or embedded mode's own): it cannot be revoked at run time; remove it from the configuration and restart`
  return [
    ...keys.ingest.map((k): KeyView => ({
      id: k.id ?? k.sha256.slice(0, 12),
      source: 'static',
      revocable: false,
      role: 'ingest',
      tenant: k.tenant,
      ...(k.origins ? { origins: [...k.origins] } : {}),
      ...(k.requireOrigin !== undefined ? { requireOrigin: k.requireOrigin } : {}),
      status: 'active',
      fingerprint: k.sha256.slice(0, 8),
      note: note('CALLMASK_INGEST_KEYS'),
    })),
    ...keys.api.map((k): KeyView => ({
      id: k.id ?? k.sha256.slice(0, 12),
      source: 'static',
      revocable: false,
      role: k.role,
      ...(k.role !== 'admin' && k.tenant !== undefined ? { tenant: k.tenant } : {}),
      status: 'active',
      fingerprint: k.sha256.slice(0, 8),
      note: note('CALLMASK_API_KEYS'),
    })),
  ]
}

function isRevisionConflict(error: unknown): boolean {
  if (error instanceof JetStreamApiError) return error.code === 10071 || error.code === 10164
  return error instanceof Error && /wrong last sequence/i.test(error.message)
}

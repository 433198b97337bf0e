// Keys for people created at run time (ingest, analyst, admin): one JSON entry per key in the
// JetStream KV bucket `callmask_access_keys`, `key.<id>`, written only by NATS admin
// (privacy/access-keys.ts) and read by every ingest and API process. An entry holds the
// key's SHA-256, never the key. A key is `cmk_<id>_<secret>`: the id says which entry to
// check, so a process needs no list of every hash to authenticate one. Revocation rewrites
// the entry with `revokedAt` (history 1: the earlier revision is gone) and is final; ids are
// never reused, so a key's state only ever moves from active to revoked or expired.
//
// Readers use direct gets (`$JS.API.DIRECT.GET.KV_callmask_access_keys...`) and a plain
// subscription to the bucket's subjects, no consumer: a user allowed to create consumers on
// a stream could also point their deliveries at any subject.
import { jetstreamManager, type DirectStreamAPI } from '@nats-io/jetstream'
import { Kvm, type KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/nats-core'
import { timingSafeEqual } from 'node:crypto'
import { hashKey } from './key-hash.ts'
import { isTenantName } from './tenant-name.ts'

export const accessKeysBucket = 'callmask_access_keys'
export const accessKeysStream = `KV_${accessKeysBucket}`
/** The subjects of the bucket's entries (what ingest and api may subscribe to). */
export const accessKeysSubjects = `$KV.${accessKeysBucket}.>`
const entryPrefix = 'key.'

export const accessKeyRoles = ['ingest', 'analyst', 'admin'] as const
export type AccessKeyRole = (typeof accessKeyRoles)[number]

export interface AccessKeyRecord {
  v: 1
  id: string
  /** hex SHA-256 of the whole key (lib/key-hash.ts). */
  sha256: string
  role: AccessKeyRole
  /** Required for ingest and analyst keys; admin keys have none. */
  tenant?: string
  /** Ingest keys: the Origins a browser may connect from; requireOrigin refuses connections without one. */
  origins?: string[]
  requireOrigin?: boolean
  /** ISO 8601; unset: the key does not expire. */
  expiresAt?: string
  label?: string
  createdAt: string
  /** The key id of the admin who created it. */
  createdBy: string
  revokedAt?: string
  revokedBy?: string
}

export type AccessKeyStatus = 'active' | 'revoked' | 'expired'

export function accessKeyStatus(record: AccessKeyRecord, now = Date.now()): AccessKeyStatus {
  if (record.revokedAt) return 'revoked'
  if (record.expiresAt && Date.parse(record.expiresAt) <= now) return 'expired'
  return 'active'
}

/** A sentence for a key that can no longer be used; undefined for an active one. */
export function refusalOf(record: AccessKeyRecord, now = Date.now()): string | undefined {
  const status = accessKeyStatus(record, now)
  if (status === 'revoked') return `key ${record.id} was revoked at ${record.revokedAt}`
  if (status === 'expired') return `key ${record.id} expired at ${record.expiresAt}`
  return undefined
}

// 12 characters of a-z0-9: a KV token and a readable id; the secret is 32 random bytes.
const idPattern = /^[a-z0-9]{12}$/
const keyPattern = /^cmk_([a-z0-9]{12})_[A-Za-z0-9_-]{43}$/
export const isAccessKeyId = (id: string): boolean => idPattern.test(id)

/** The id inside a run-time key, or undefined when the string is not one (a static key, garbage). */
export function accessKeyIdOf(key: string): string | undefined {
  return keyPattern.exec(key)?.[1]
}

export const formatAccessKey = (id: string, secret: string): string => `cmk_${id}_${secret}`

/** Whether `key` is the one the record was made for (constant time over the hashes). */
export function matchesKey(record: AccessKeyRecord, key: string): boolean {
  const given = Buffer.from(hashKey(key), 'hex')
  const stored = Buffer.from(record.sha256, 'hex')
  return given.length === stored.length && timingSafeEqual(given, stored)
}

export const entryKeyOf = (id: string): string => entryPrefix + id

export const encodeAccessKey = (record: AccessKeyRecord): Uint8Array => new TextEncoder().encode(JSON.stringify(record))

/** The record in an entry's bytes; undefined for anything that is not one (a foreign write). */
export function decodeAccessKey(bytes: Uint8Array): AccessKeyRecord | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as Partial<AccessKeyRecord>
    const ok =
      value.v === 1 &&
      typeof value.id === 'string' &&
      isAccessKeyId(value.id) &&
      typeof value.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(value.sha256) &&
      accessKeyRoles.includes(value.role as AccessKeyRole) &&
      (value.role === 'admin' || isTenantName(value.tenant))
    return ok ? (value as AccessKeyRecord) : undefined
  } catch {
    return undefined
  }
}

/** NATS admin only: creates the bucket if missing (history 1, `replicas` copies), else opens it. */
export async function openAccessKeysBucket(nc: NatsConnection, replicas = 1): Promise<KV> {
  return new Kvm(nc).create(accessKeysBucket, { history: 1, replicas })
}

/** One entry as stored: the record, or `gone` for a deleted or purged one; undefined when none. */
export type StoredAccessKey = AccessKeyRecord | 'gone' | undefined

export interface AccessKeyReader {
  /** The stored state of one key, read from JetStream now. */
  get(id: string): Promise<StoredAccessKey>
  /** Every entry in the bucket, oldest first; nothing when the bucket does not exist yet. */
  scan(onEntry: (id: string, stored: AccessKeyRecord | 'gone') => void): Promise<number>
}

/** Reads with direct gets only (see the header): for ingest's and api's NATS users. */
export async function createAccessKeyReader(nc: NatsConnection): Promise<AccessKeyReader> {
  // checkAPI false: `$JS.API.INFO` is not among these users' permissions.
  const direct: DirectStreamAPI = (await jetstreamManager(nc, { checkAPI: false })).direct
  const subjectPrefix = `$KV.${accessKeysBucket}.${entryPrefix}`
  const stateOf = (message: { data: Uint8Array; header: { get(name: string): string } }): AccessKeyRecord | 'gone' => {
    const operation = message.header.get('KV-Operation')
    if (operation === 'DEL' || operation === 'PURGE') return 'gone'
    return decodeAccessKey(message.data) ?? 'gone'
  }
  return {
    async get(id) {
      if (!isAccessKeyId(id)) return undefined
      const message = await noBucketIsEmpty(() => direct.getMessage(accessKeysStream, { last_by_subj: subjectPrefix + id }))
      return message ? stateOf(message) : undefined
    },
    async scan(onEntry) {
      let seq = 1
      let count = 0
      for (;;) {
        const message = await noBucketIsEmpty(() => direct.getMessage(accessKeysStream, { seq, next_by_subj: `${subjectPrefix}>` }))
        if (!message) return count
        const id = message.subject.slice(subjectPrefix.length)
        if (isAccessKeyId(id)) (onEntry(id, stateOf(message)), (count += 1))
        seq = message.seq + 1
      }
    },
  }
}

/** The id an entry's subject names (`$KV.callmask_access_keys.key.<id>`), if it names one. */
export function idOfSubject(subject: string): string | undefined {
  const prefix = `$KV.${accessKeysBucket}.${entryPrefix}`
  const id = subject.startsWith(prefix) ? subject.slice(prefix.length) : ''
  return isAccessKeyId(id) ? id : undefined
}

// A bucket nobody created yet has no stream answering direct gets: that is an empty bucket.
async function noBucketIsEmpty<T>(read: () => Promise<T | null>): Promise<T | null> {
  try {
    return await read()
  } catch (error) {
    const e = error as { isNoResponders?: () => boolean; message?: string }
    if (e.isNoResponders?.() || /no responders|stream not found/i.test(e.message ?? '')) return null
    throw error
  }
}

// Integration tests of the tenant keyring against a real nats-server (a private one per
// file, never the shared :4222): creation races, rotation across instances, crypto-shredding
// checked on the raw stream, wrong master key, tampering, and no key material in the clear.
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream'
import type { KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/nats-core'
import { connect } from '@nats-io/transport-node'
import { randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNatsServer, type NatsServerHandle } from '../../lib/nats-server-launcher.ts'
import { computePseudonym } from '../../keyring/pseudonymiser.ts'
import { openKey } from '../../keyring/key-sealing.ts'
import { createKeyring, keyringBucket, openKeyringBucket, type KeyringOptions } from '../../keyring/keyring.ts'
import type { KeyringDocument } from '../../keyring/keyring-document.ts'
import {
  KeyringCorruptError,
  KeyringLockedError,
  KeyringTamperedError,
  KeyringTenantError,
} from '../../keyring/keyring-errors.ts'
import { createMasterKey } from '../../keyring/master-key.ts'
import { captureLogs } from '../support/test-pipeline.ts'

let server: NatsServerHandle
const connections: NatsConnection[] = []
let kv: KV
let jsm: JetStreamManager
const masterKey = createMasterKey(randomBytes(32))

async function newConnection(): Promise<NatsConnection> {
  const nc = await connect({ servers: server.url })
  connections.push(nc)
  return nc
}

/** A keyring on its own connection, like another processor instance. */
async function otherInstance(options: Partial<KeyringOptions> = {}) {
  const nc = await newConnection()
  return createKeyring({ kv: await openKeyringBucket(nc), masterKey, ...options })
}

async function rawDocument(tenant: string): Promise<{ doc: KeyringDocument; revision: number; bytes: Uint8Array }> {
  const entry = await kv.get(`tenant.${tenant}`)
  if (!entry || entry.operation !== 'PUT') throw new Error(`no entry for ${tenant}`)
  return { doc: entry.json<KeyringDocument>(), revision: entry.revision, bytes: entry.value }
}

async function putRaw(tenant: string, doc: KeyringDocument): Promise<void> {
  await kv.put(`tenant.${tenant}`, JSON.stringify(doc))
}

/** Holds the first `parties` KV reads until all have happened, forcing a write race. */
function readBarrier(parties: number) {
  let count = 0
  let release!: () => void
  const allRead = new Promise<void>((resolve) => (release = resolve))
  return {
    reads: () => count,
    wrap(target: KV): KV {
      return new Proxy(target, {
        get(object, property) {
          const value = Reflect.get(object, property) as unknown
          if (property !== 'get' || typeof value !== 'function') return typeof value === 'function' ? value.bind(object) : value
          return async (...args: Parameters<KV['get']>) => {
            const entry = await object.get(...args)
            count += 1
            if (count === parties) release()
            if (count <= parties) await allRead
            return entry
          }
        },
      })
    },
  }
}

function encodings(bytes: Buffer): string[] {
  return [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('latin1')].map((s) => s.slice(0, 12))
}

beforeAll(async () => {
  server = await startNatsServer()
  const nc = await newConnection()
  kv = await openKeyringBucket(nc)
  jsm = await jetstreamManager(nc)
})

afterAll(async () => {
  for (const nc of connections) await nc.close()
  await server?.stop()
})

describe('keyring (integration)', () => {
  it('creates the bucket with file storage and history 64 (superseded revisions stay until erased)', async () => {
    const status = await kv.status()
    expect(status.bucket).toBe(keyringBucket)
    expect(status.history).toBe(64)
    expect(status.streamInfo.config.storage).toBe('file')
  })

  it('gives a deterministic current key: version 1, the same bytes on every call and instance', async () => {
    const keyring = createKeyring({ kv, masterKey })
    const first = await keyring.currentKey('determined')
    const again = await keyring.currentKey('determined')
    const elsewhere = await (await otherInstance()).currentKey('determined')
    expect(first.version).toBe(1)
    expect(first.key).toHaveLength(32)
    expect(again.key.equals(first.key)).toBe(true)
    expect(elsewhere.version).toBe(1)
    expect(elsewhere.key.equals(first.key)).toBe(true)
    expect(computePseudonym(elsewhere, 'id', 'anna')).toBe(computePseudonym(first, 'id', 'anna'))
    // Different tenants never share keys.
    const other = await keyring.currentKey('determined-too')
    expect(other.key.equals(first.key)).toBe(false)
  })

  it('lets concurrent instances creating the first key of a tenant agree on one key', async () => {
    const instances = await Promise.all([otherInstance(), otherInstance(), otherInstance(), otherInstance()])
    for (let round = 0; round < 5; round++) {
      const tenant = `race-${round}`
      const keys = await Promise.all(instances.flatMap((k) => [k.currentKey(tenant), k.currentKey(tenant)]))
      for (const key of keys) {
        expect(key.version).toBe(1)
        expect(key.key.equals(keys[0]!.key)).toBe(true)
      }
      const { doc } = await rawDocument(tenant)
      expect(doc.versions.map((v) => v.version)).toEqual([1])
    }
  })

  it('retries a lost compare-and-set: two instances that both read "no key yet" end with one key', async () => {
    const gate = readBarrier(2)
    const a = createKeyring({ kv: gate.wrap(kv), masterKey })
    const b = createKeyring({ kv: gate.wrap(await openKeyringBucket(await newConnection())), masterKey })
    const [ka, kb] = await Promise.all([a.currentKey('barrier'), b.currentKey('barrier')])
    expect(gate.reads()).toBeGreaterThanOrEqual(3) // both read empty, the loser read again
    expect(ka.version).toBe(1)
    expect(kb.version).toBe(1)
    expect(ka.key.equals(kb.key)).toBe(true)
    expect((await rawDocument('barrier')).doc.versions.map((v) => v.version)).toEqual([1])
  })

  it('applies two concurrent rotations as two versions, neither lost', async () => {
    await createKeyring({ kv, masterKey }).currentKey('double-rotate')
    const gate = readBarrier(2)
    const a = createKeyring({ kv: gate.wrap(kv), masterKey })
    const b = createKeyring({ kv: gate.wrap(await openKeyringBucket(await newConnection())), masterKey })
    const versions = await Promise.all([a.rotate('double-rotate'), b.rotate('double-rotate')])
    expect(versions.sort((x, y) => x - y)).toEqual([2, 3])
    expect((await rawDocument('double-rotate')).doc.versions.map((v) => v.version)).toEqual([1, 2, 3])
  })

  it('rotates: adds a version, keeps the old ones, and another instance picks it up after its cache expires', async () => {
    const a = createKeyring({ kv, masterKey })
    const b = await otherInstance({ cacheTtlMs: 300 })
    const v1 = await a.currentKey('rotating')
    expect((await b.currentKey('rotating')).version).toBe(1)

    expect(await a.rotate('rotating')).toBe(2)
    expect((await a.currentKey('rotating')).version).toBe(2)
    // b still trusts its cache for a moment: the hot path does not ask NATS per message.
    expect((await b.currentKey('rotating')).version).toBe(1)
    await new Promise((r) => setTimeout(r, 350))
    const seenByB = await b.currentKey('rotating')
    expect(seenByB.version).toBe(2)
    expect(seenByB.key.equals(v1.key)).toBe(false)

    const live = await b.liveKeys('rotating')
    expect(live.map((k) => k.version)).toEqual([1, 2])
    expect(live[0]!.key.equals(v1.key)).toBe(true)
    expect(computePseudonym(live[1]!, 'id', 'anna')).toMatch(/^p_k2_/)
    expect(await a.list()).toContainEqual({ tenant: 'rotating', current: 2, versions: [1, 2], destroyed: [] })
  })

  it('rotates a tenant it has never seen to version 1 and lists no unknown tenant keys', async () => {
    const keyring = createKeyring({ kv, masterKey })
    expect(await keyring.liveKeys('never-seen')).toEqual([])
    expect(await keyring.rotate('fresh-rotate')).toBe(1)
  })

  it('destroys every key of a tenant: no stored revision decrypts, and old pseudonyms cannot be recomputed', async () => {
    const keyring = createKeyring({ kv, masterKey, jsm })
    const v1 = await keyring.currentKey('shredded')
    await keyring.rotate('shredded')
    const v2 = await keyring.currentKey('shredded')
    const before = computePseudonym(v2, 'id', 'anna')
    const stored = await rawDocument('shredded')
    const sealed = stored.doc.versions.map((v) => v.key!)
    expect(sealed).toHaveLength(2)
    const streamName = (await kv.status()).streamInfo.config.name
    // Sanity check of the scan below: before destroy the stream does hold the sealed keys.
    const live = await jsm.streams.getMessage(streamName, { seq: stored.revision })
    expect(Buffer.from(live!.data).toString()).toContain(sealed[1])

    const result = await keyring.destroy('shredded')
    expect(result.versions).toEqual([1, 2])
    expect(result.erased).toBeGreaterThanOrEqual(1)

    // The live entry is a tombstone: version numbers and dates, no key material.
    const tombstone = await rawDocument('shredded')
    expect(tombstone.doc.current).toBe(0)
    expect(tombstone.doc.versions.map((v) => v.version)).toEqual([1, 2])
    for (const record of tombstone.doc.versions) {
      expect(record.key).toBeUndefined()
      expect(record.destroyedAt).toMatch(/^\d{4}-/)
    }
    // Nothing in the entry's history and nothing anywhere in the stream opens as a key.
    const history = await kv.history({ key: 'tenant.shredded' })
    for await (const entry of history) expect(Buffer.from(entry.value).toString()).not.toContain('gcm1.')
    const stream = (await kv.status()).streamInfo
    for (let seq = stream.state.first_seq; seq <= stream.state.last_seq; seq++) {
      const message = await jsm.streams.getMessage(stream.config.name, { seq }).catch(() => null)
      if (!message || !message.subject.endsWith('.tenant.shredded')) continue
      const text = Buffer.from(message.data).toString()
      for (const blob of sealed) expect(text).not.toContain(blob)
      for (const match of text.matchAll(/gcm1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+/g)) {
        for (const version of [1, 2]) expect(() => openKey(masterKey, match[0], { tenant: 'shredded', version })).toThrow()
      }
    }
    expect(await keyring.liveKeys('shredded')).toEqual([])
    expect(await keyring.list()).toContainEqual({ tenant: 'shredded', current: null, versions: [], destroyed: [1, 2] })

    // Later data gets a fresh key under a new version: nothing links it to the old pseudonyms.
    const fresh = await (await otherInstance()).currentKey('shredded')
    expect(fresh.version).toBe(3)
    expect(fresh.key.equals(v1.key) || fresh.key.equals(v2.key)).toBe(false)
    expect(computePseudonym(fresh, 'id', 'anna')).not.toBe(before)
    expect(await keyring.list()).toContainEqual({ tenant: 'shredded', current: 3, versions: [3], destroyed: [1, 2] })

    // Destroying again removes the fresh key; destroying nothing is a no-op.
    expect((await keyring.destroy('shredded')).versions).toEqual([3])
    expect(await keyring.destroy('shredded')).toEqual({ versions: [], erased: 0 })
    expect(await keyring.destroy('no-such-tenant')).toEqual({ versions: [], erased: 0 })
  })

  it('destroys without a jsm given (erasing with the bucket\'s own) and needs no master key to do it', async () => {
    await createKeyring({ kv, masterKey }).currentKey('purge-only')
    const result = await createKeyring({ kv }).destroy('purge-only')
    expect(result).toEqual({ versions: [1], erased: 1 })
    const history = await kv.history({ key: 'tenant.purge-only' })
    const left: string[] = []
    for await (const entry of history) left.push(Buffer.from(entry.value).toString())
    expect(left).toHaveLength(1) // the tombstone
    for (const value of left) expect(value).not.toContain('gcm1.')
  })

  it('refuses a wrong master key with a clear error and leaves the entry alone', async () => {
    await createKeyring({ kv, masterKey }).currentKey('locked')
    const before = await rawDocument('locked')
    const wrong = createKeyring({ kv, masterKey: createMasterKey(randomBytes(32)) })
    await expect(wrong.currentKey('locked')).rejects.toThrow(KeyringLockedError)
    await expect(wrong.currentKey('locked')).rejects.toThrow(
      new RegExp(`sealed under master key ${masterKey.id}, but this process holds master key [0-9a-f]{8}: start it with the master key`),
    )
    await expect(wrong.liveKeys('locked')).rejects.toMatchObject({ code: 'CALLMASK_ERR_KEYRING_LOCKED' })
    // Nor may it rotate: the keyring would then be sealed under two master keys.
    await expect(wrong.rotate('locked')).rejects.toThrow(KeyringLockedError)
    const after = await rawDocument('locked')
    expect(after.revision).toBe(before.revision)
  })

  it('refuses a tampered sealed key', async () => {
    await createKeyring({ kv, masterKey }).currentKey('tampered')
    const { doc } = await rawDocument('tampered')
    const record = doc.versions[0]!
    const payload = Buffer.from(record.key!.split('.')[2]!, 'base64url')
    payload[20] = payload[20]! ^ 0x01
    record.key = record.key!.split('.').slice(0, 2).concat(payload.toString('base64url')).join('.')
    await putRaw('tampered', doc)
    await expect(createKeyring({ kv, masterKey }).currentKey('tampered')).rejects.toThrow(KeyringTamperedError)
  })

  it('refuses a sealed key moved to another tenant', async () => {
    const keyring = createKeyring({ kv, masterKey })
    await keyring.currentKey('victim')
    await keyring.currentKey('thief')
    const victim = await rawDocument('victim')
    const thief = await rawDocument('thief')
    thief.doc.versions[0]!.key = victim.doc.versions[0]!.key
    await putRaw('thief', thief.doc)
    await expect(createKeyring({ kv, masterKey }).currentKey('thief')).rejects.toThrow(/copied from another tenant or version/)
    // A whole document moved under another tenant's name is refused too.
    await putRaw('thief', { ...victim.doc })
    await expect(createKeyring({ kv, masterKey }).currentKey('thief')).rejects.toThrow(KeyringCorruptError)
  })

  it('refuses a corrupt entry instead of replacing it, yet can still destroy it', async () => {
    await kv.put('tenant.corrupt', 'not json')
    const keyring = createKeyring({ kv, masterKey, jsm })
    await expect(keyring.currentKey('corrupt')).rejects.toThrow(KeyringCorruptError)
    expect((await kv.get('tenant.corrupt'))?.string()).toBe('not json')
    expect(await keyring.list()).toContainEqual({
      tenant: 'corrupt',
      current: null,
      versions: [],
      destroyed: [],
      problem: 'The keyring entry of tenant "corrupt" is not JSON.',
    })
    await keyring.destroy('corrupt')
    expect((await keyring.currentKey('corrupt')).version).toBe(1)
  })

  it('refuses tenant ids that cannot name an entry', async () => {
    const keyring = createKeyring({ kv, masterKey })
    for (const tenant of ['', 'a.b', 'a*', '>', 'UPPER', 'x'.repeat(64)]) {
      await expect(keyring.currentKey(tenant)).rejects.toThrow(KeyringTenantError)
    }
  })

  it('stores no key bytes in the clear and logs none', async () => {
    const { lines, log } = captureLogs()
    const keyring = createKeyring({ kv, masterKey, log, jsm })
    const keys = [await keyring.currentKey('secretive')]
    await keyring.rotate('secretive')
    keys.push(...(await keyring.liveKeys('secretive')))
    const bytes = keys.map((k) => Buffer.from(k.key))
    const raw = Buffer.from((await rawDocument('secretive')).bytes)
    const summaries = await keyring.list()
    log.info({ keys, summaries }, 'what a careless caller might log')
    await keyring.destroy('secretive')
    await keyring.currentKey('secretive')
    await expect(createKeyring({ kv, masterKey: createMasterKey(randomBytes(32)), log }).currentKey('secretive')).rejects.toThrow()

    expect(lines.some((l) => l.includes('rotated a tenant key'))).toBe(true)
    expect(lines.some((l) => l.includes('destroyed the keys of a tenant'))).toBe(true)
    const shown = [
      ...lines,
      raw.toString('latin1'),
      JSON.stringify(keys),
      JSON.stringify(summaries),
      inspect(keys, { showHidden: true, depth: 10 }),
      String(keys[0]),
    ]
    for (const key of bytes) {
      expect(raw.includes(key)).toBe(false)
      for (const text of shown) for (const encoded of encodings(key)) expect(text).not.toContain(encoded)
    }
  })
})

// Crypto-shredding checked on disk: after `destroy`, a byte scan of every file under the
// JetStream store dir (what a copy of the disk would give someone who also holds the master
// key, which stays alive for the other tenants) finds no sealed version of the tenant, no raw
// key and no encoding of one, also after a restart. Every absence is preceded by the same
// scan finding the sealed keys. The first test shows why the bucket keeps history 64.
import type { KV } from '@nats-io/kv'
import { Kvm } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/nats-core'
import { connect } from '@nats-io/transport-node'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNatsServer, type NatsServerHandle } from '../lib/nats-server-launcher.ts'
import { createKeyring, keyringBucket, openKeyringBucket } from '../keyring/keyring.ts'
import { encodeDocument, withNewVersion, type KeyringDocument } from '../keyring/keyring-document.ts'
import { sealKey } from '../keyring/key-sealing.ts'
import { keyringHistory } from '../keyring/keyring-store.ts'
import { createMasterKey } from '../keyring/master-key.ts'
import { computePseudonym } from '../keyring/pseudonymiser.ts'
import { eventually } from './support/test-pipeline.ts'
import { keyForms, scanStore, sealedForms } from './support/store-scan.ts'

const masterKey = createMasterKey(randomBytes(32))
let server: NatsServerHandle
let nc: NatsConnection
let kv: KV

async function sealedVersions(bucket: KV, tenant: string): Promise<Map<number, string>> {
  const doc = (await bucket.get(`tenant.${tenant}`))!.json<KeyringDocument>()
  return new Map(doc.versions.filter((v) => v.key).map((v) => [v.version, v.key!]))
}

function labels(hits: { what: string }[]): string[] {
  return [...new Set(hits.map((h) => h.what))].sort()
}

beforeAll(async () => {
  server = await startNatsServer()
  nc = await connect({ servers: server.url })
  kv = await openKeyringBucket(nc)
})

afterAll(async () => {
  await nc?.close()
  await server?.stop()
})

describe('crypto-shredding on disk (integration)', () => {
  it('why history 64: with history 1, superseded and purged revisions stay readable in the block file', async () => {
    const probe = await new Kvm(nc).create('history_one_probe', { history: 1 })
    const markers = [1, 2, 3].map((n) => `marker-${n}-${randomBytes(8).toString('hex')}`)
    for (const marker of markers) await probe.put('tenant.probe', marker)
    await probe.purge('tenant.probe')
    const history = await probe.history({ key: 'tenant.probe' })
    for await (const entry of history) expect(entry.operation).toBe('PURGE')
    // Gone for the API, all still on disk: JetStream removed them without overwriting.
    const needles = new Map(markers.map((m) => [m, Buffer.from(m)]))
    await eventually(() => scanStore(server.storeDir, needles).length === 3, 5000, 'the probe revisions on disk')
    expect(scanStore(server.storeDir, needles).every((h) => h.file.startsWith('jetstream/$G/streams/KV_history_one_probe/msgs/'))).toBe(true)
  })

  it('destroy leaves none of a tenant\'s key versions on disk, also after a restart and a crash; others keep theirs; a re-created tenant is unrelated', async () => {
    const keyring = createKeyring({ kv, masterKey })
    expect((await kv.status()).history).toBe(keyringHistory)
    const bystander = await keyring.currentKey('bystander')
    const bystanderPseudonym = computePseudonym(bystander, 'email', 'anna@example.com')
    await keyring.currentKey('victim')
    for (let i = 0; i < 3; i++) {
      await keyring.rotate('victim')
      await keyring.rotate('bystander')
    }
    const keys = await keyring.liveKeys('victim')
    expect(keys.map((k) => k.version)).toEqual([1, 2, 3, 4])
    const oldPseudonyms = keys.map((k) => computePseudonym(k, 'email', 'anna@example.com'))
    const sealed = await sealedVersions(kv, 'victim')
    const needles = new Map([
      ...[...sealed].flatMap(([version, blob]) => sealedForms(`v${version}`, blob)),
      ...keys.flatMap((k) => keyForms(`v${k.version} key`, Buffer.from(k.key))),
    ])
    const sealedLabels = [...sealed.keys()].map((v) => `v${v} sealed`)

    // Positive control: the scan finds every sealed version in the block file, each once
    // (rotations already erased the superseded revisions). Raw keys are never stored.
    await eventually(() => sealedLabels.every((l) => scanStore(server.storeDir, needles).some((h) => h.what === l)), 5000, 'the sealed keys on disk')
    const before = scanStore(server.storeDir, needles)
    for (const label of sealedLabels) expect(before.find((h) => h.what === label)).toMatchObject({ file: `jetstream/$G/streams/KV_${keyringBucket}/msgs/1.blk`, count: 1 })
    expect(before.filter((h) => / key /.test(h.what))).toEqual([])

    expect(await keyring.destroy('victim')).toEqual({ versions: [1, 2, 3, 4], erased: 1 })
    expect(scanStore(server.storeDir, needles)).toEqual([])

    // The other tenant's keys open as before, from a keyring with nothing cached.
    const fresh = createKeyring({ kv, masterKey })
    const stillThere = await fresh.liveKeys('bystander')
    expect(stillThere.map((k) => k.version)).toEqual([1, 2, 3, 4])
    expect(computePseudonym(stillThere[0]!, 'email', 'anna@example.com')).toBe(bystanderPseudonym)

    // Re-created, the tenant gets a key unrelated to every earlier one.
    const renewed = await fresh.currentKey('victim')
    expect(renewed.version).toBe(5)
    for (const key of keys) expect(renewed.key.equals(key.key)).toBe(false)
    expect(oldPseudonyms).not.toContain(computePseudonym(renewed, 'email', 'anna@example.com'))

    // What the server writes on a graceful stop (index.db, consumer state) holds none of it either.
    await nc.close()
    await server.restart()
    nc = await connect({ servers: server.url })
    kv = await openKeyringBucket(nc)
    expect(scanStore(server.storeDir, needles)).toEqual([])
    const afterRestart = createKeyring({ kv, masterKey })
    expect((await afterRestart.liveKeys('bystander'))[0]!.key.equals(stillThere[0]!.key)).toBe(true)
    expect((await afterRestart.currentKey('victim')).key.equals(renewed.key)).toBe(true)

    // After a crash the server rebuilds its state from the block files: an erased record
    // stays erased (JetStream marks it in the block itself), nothing comes back.
    await nc.close()
    await server.kill()
    await server.restart()
    nc = await connect({ servers: server.url })
    kv = await openKeyringBucket(nc)
    expect(scanStore(server.storeDir, needles)).toEqual([])
    const revisions: number[] = []
    for await (const entry of await kv.history({ key: 'tenant.victim' })) revisions.push(entry.revision)
    expect(revisions).toHaveLength(1)
    expect((await createKeyring({ kv, masterKey }).liveKeys('victim')).map((k) => k.version)).toEqual([5])
  })

  it('a destroy interrupted before its erase is finished by the next destroy', async () => {
    const keyring = createKeyring({ kv, masterKey })
    await keyring.currentKey('interrupted')
    await keyring.rotate('interrupted')
    const needles = new Map([...(await sealedVersions(kv, 'interrupted'))].flatMap(([v, blob]) => sealedForms(`v${v}`, blob)))
    // A KV that is not a Bucket gives the store no JetStreamManager: the tombstone is written, nothing erased.
    const withoutErase = new Proxy(kv, { getPrototypeOf: () => Object.prototype })
    expect(await createKeyring({ kv: withoutErase }).destroy('interrupted')).toEqual({ versions: [1, 2], erased: 0 })
    await eventually(() => labels(scanStore(server.storeDir, needles)).includes('v2 sealed'), 5000, 'the unerased revision on disk')
    expect(labels(scanStore(server.storeDir, needles))).toEqual(expect.arrayContaining(['v1 sealed', 'v2 sealed']))

    expect(await keyring.destroy('interrupted')).toEqual({ versions: [], erased: 1 })
    expect(scanStore(server.storeDir, needles)).toEqual([])
    expect(await keyring.destroy('interrupted')).toEqual({ versions: [], erased: 0 })
  })

  it('raises a bucket made with history 1 to 64 on the first write; only revisions dropped before that stay on disk', async () => {
    const legacyServer = await startNatsServer()
    const legacyNc = await connect({ servers: legacyServer.url })
    try {
      const legacy = await new Kvm(legacyNc).create(keyringBucket, { history: 1 })
      const seal = (version: number) => sealKey(masterKey, randomBytes(32), { tenant: 'old', version })
      // Two writes as an earlier callmask made them: the first is dropped, unerased, by the second.
      const v1 = withNewVersion(null, 'old', 1, seal(1), new Date())
      const v2 = withNewVersion(v1, 'old', 2, seal(2), new Date())
      await legacy.put('tenant.old', encodeDocument(v1))
      await legacy.put('tenant.old', encodeDocument(v2))

      const keyring = createKeyring({ kv: await openKeyringBucket(legacyNc), masterKey })
      expect(await keyring.rotate('old')).toBe(3)
      expect((await legacy.status()).history).toBe(keyringHistory)
      const needles = new Map([...(await sealedVersions(legacy, 'old'))].flatMap(([v, blob]) => sealedForms(`v${v}`, blob)))
      await eventually(() => labels(scanStore(legacyServer.storeDir, needles)).includes('v3 sealed'), 5000, 'the sealed keys on disk')

      expect(await keyring.destroy('old')).toEqual({ versions: [1, 2, 3], erased: 1 })
      // The first document's copy of v1 was out of reach before the upgrade; v2 and v3 are gone.
      expect(labels(scanStore(legacyServer.storeDir, needles)).filter((l) => l.endsWith(' sealed'))).toEqual(['v1 sealed'])
    } finally {
      await legacyNc.close()
      await legacyServer.stop()
    }
  })
})

// Rotation and crypto-shredding seen from the data: after a rotate new rows carry the new
// key version, after a destroy the old pseudonyms cannot be produced again; no key
// material reaches ClickHouse or the logs.
import { connect } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKeyring, openKeyringBucket } from '../keyring/keyring.ts'
import { parseMasterKey } from '../keyring/master-key.ts'
import { computePseudonym } from '../keyring/pseudonymiser.ts'
import type { Pipeline } from '../app/pipeline.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { createTestWorld, eventually, testKey, testTenant, type TestWorld } from './support/test-pipeline.ts'

const call = { conferenceId: 'weekly-sync', participantId: 'anna.schmidt@example.com', peerConnectionId: 'pc-1', displayName: 'Anna Schmidt' }

describe('key rotation and destruction (integration)', () => {
  let world: TestWorld
  let pipeline: Pipeline
  let client: CallmaskClient

  beforeAll(async () => {
    world = await createTestWorld()
    pipeline = await world.start({ batchMaxMs: 50 }, { keyCacheTtlMs: 0 })
    client = new CallmaskClient({ url: pipeline.ingest!.url, key: testKey })
    await client.connect()
  })
  afterAll(async () => {
    client?.close()
    await world?.close()
  })

  async function sendAndStore(name: string): Promise<string> {
    await client.sendEvent(call, 'join', undefined, Date.now())
    await client.waitForAck()
    let id = ''
    await eventually(async () => {
      // One query, so the count and the newest row come from the same snapshot.
      const [row] = await world.query<{ n: string; id: string }>('SELECT count() AS n, argMax(participant_id, seq) AS id FROM {db}.call_events')
      id = row?.id ?? ''
      return Number(row?.n) === client.lastAckedSeq
    }, 15_000, `${name} stored`)
    return id
  }

  it('rotate: new rows use the new version; destroy: a fresh key, never the old pseudonyms', async () => {
    const nc = await connect(world.natsOptions('admin'))
    const keyring = createKeyring({ kv: await openKeyringBucket(nc), masterKey: parseMasterKey(world.masterKey), cacheTtlMs: 0 })

    const before = await sendAndStore('first event')
    expect(before).toMatch(/^p_k1_/)
    const [v1] = await keyring.liveKeys(testTenant)
    expect(computePseudonym(v1!, 'email', 'anna.schmidt@example.com')).toBe(before)

    expect(await keyring.rotate(testTenant)).toBe(2)
    const afterRotate = await sendAndStore('event after rotate')
    expect(afterRotate).toMatch(/^p_k2_/)
    expect((await keyring.liveKeys(testTenant)).map((k) => k.version)).toEqual([1, 2])

    const keyBytes = (await keyring.liveKeys(testTenant)).flatMap((k) => [Buffer.from(k.key).toString('hex'), Buffer.from(k.key).toString('base64')])
    await keyring.destroy(testTenant)
    expect(await keyring.liveKeys(testTenant)).toEqual([])
    // The processor's NATS user reads the keyring only: it cannot make a fresh key itself,
    // so the frame waits in JetStream (not lost, not dead-lettered) until admin creates one.
    const storedBefore = client.lastAckedSeq
    await client.sendEvent(call, 'join', undefined, Date.now())
    await client.waitForAck()
    await eventually(() => world.logs.some((l) => l.includes('CALLMASK_ERR_TENANT_KEY_MISSING')), 15_000, 'the missing key reported')
    const [waiting] = await world.query<{ n: string }>('SELECT count() AS n FROM {db}.call_events')
    expect(Number(waiting!.n)).toBe(storedBefore)
    await keyring.currentKey(testTenant) // as `npm run keys -- create acme` does
    // The waiting frame is redelivered and stored under the new key, with the next one.
    const afterDestroy = await sendAndStore('event after destroy')
    expect(afterDestroy).toMatch(/^p_k3_/)
    expect([before, afterRotate]).not.toContain(afterDestroy)

    // Key material is nowhere in the data or the logs.
    const columns = await world.query<{ table: string; name: string }>(
      `SELECT table, name FROM system.columns WHERE database = {database:String} AND type LIKE '%String%'`,
      { database: world.database },
    )
    for (const { table, name } of columns) {
      const [hit] = await world.query<{ n: string }>(
        `SELECT count() AS n FROM {db}.${table} WHERE multiSearchAny(toString(${name}), {needles:Array(String)})`,
        { needles: keyBytes },
      )
      expect(Number(hit?.n), `${table}.${name}`).toBe(0)
    }
    const logs = world.logs.join('\n')
    for (const needle of [...keyBytes, world.masterKey]) expect(logs).not.toContain(needle)
    await nc.close()
  })
})

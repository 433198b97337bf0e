// Question: after `destroy`, does any copy of the tenant's sealed keys (or raw keys) remain in
// the files of the JetStream store dir? Method: a private nats-server; a tenant gets a key
// and three rotations, a bystander likewise; then destroy, a byte scan of every file under the
// store dir (sealed keys as stored, their payload raw and base64, raw keys in four forms),
// a restart and another scan. Baseline in the same run: the destroy as it was before history
// 64 (a history-1 bucket, secure erase of the latest revision, then a KV purge), replayed on
// its own bucket with the same documents. `--old-block` also puts the tenant's entry into an
// older, cache-expired block (about 10 MB of filler values, 6 s wait) before destroying.
// Run: npx tsx bench/keyring-remnants-bench.ts [--old-block]
import { jetstreamManager } from '@nats-io/jetstream'
import { Kvm, type KV } from '@nats-io/kv'
import { connect } from '@nats-io/transport-node'
import { randomBytes } from 'node:crypto'
import { startNatsServer } from '../lib/nats-server-launcher.ts'
import { createKeyring, openKeyringBucket } from '../keyring/keyring.ts'
import { encodeDocument, type KeyringDocument } from '../keyring/keyring-document.ts'
import { createMasterKey } from '../keyring/master-key.ts'
import { keyForms, scanStore, sealedForms } from '../test/support/store-scan.ts'

const oldBlock = process.argv.includes('--old-block')
const server = await startNatsServer()
let nc = await connect({ servers: server.url })
const masterKey = createMasterKey(randomBytes(32))
const keyring = createKeyring({ kv: await openKeyringBucket(nc), masterKey })
const kv = await openKeyringBucket(nc)

await keyring.currentKey('bystander')
await keyring.currentKey('victim')
const documents: Uint8Array[] = [(await kv.get('tenant.victim'))!.value]
for (let i = 0; i < 3; i++) {
  await keyring.rotate('victim')
  await keyring.rotate('bystander')
  documents.push((await kv.get('tenant.victim'))!.value)
}
const keys = await keyring.liveKeys('victim')
const doc = (await kv.get('tenant.victim'))!.json<KeyringDocument>()
const needles = new Map([
  ...doc.versions.flatMap((v) => sealedForms(`v${v.version}`, v.key!)),
  ...keys.flatMap((k) => keyForms(`v${k.version} key`, Buffer.from(k.key))),
])

// The baseline replays the same four documents into a history-1 bucket and shreds it the old way.
// A bystander entry keeps the block in use, as in a real keyring: a block left empty is deleted.
const legacy: KV = await new Kvm(nc).create('legacy_history_one', { history: 1 })
await legacy.put('tenant.bystander', (await kv.get('tenant.bystander'))!.value)
for (const bytes of documents) await legacy.put('tenant.victim', bytes)
const latest = (await legacy.get('tenant.victim'))!.revision
await (await jetstreamManager(nc)).streams.deleteMessage('KV_legacy_history_one', latest, true)
await legacy.purge('tenant.victim')

if (oldBlock) {
  const filler = randomBytes(200_000).toString('base64')
  for (let i = 0; i < 40; i++) await kv.put(`filler.f${i % 5}`, filler)
  await new Promise((r) => setTimeout(r, 6000)) // lets the block's cache expire
}
await new Promise((r) => setTimeout(r, 300)) // the server flushes its write buffer

function copies(stream: string): number {
  return scanStore(server.storeDir, needles)
    .filter((h) => h.file.includes(`/streams/${stream}/`) && h.what.endsWith(' sealed'))
    .reduce((sum, h) => sum + h.count, 0)
}
const keyHits = () => scanStore(server.storeDir, needles).filter((h) => / key /.test(h.what)).length

const before = copies('KV_callmask_keyring')
const result = await keyring.destroy('victim')
await new Promise((r) => setTimeout(r, 300))
const after = copies('KV_callmask_keyring')
const legacyAfter = copies('KV_legacy_history_one')
await nc.close()
await server.restart()
nc = await connect({ servers: server.url })
const figures = {
  server: '2.10.27 (lib/nats-server-binary.ts)',
  oldBlock,
  versions: keys.length,
  erased: result.erased,
  sealedCopiesBeforeDestroy: before,
  sealedCopiesAfterDestroy: after,
  sealedCopiesAfterRestart: copies('KV_callmask_keyring'),
  baselineSealedCopiesAfterDestroy: legacyAfter,
  baselineSealedCopiesAfterRestart: copies('KV_legacy_history_one'),
  rawKeyHitsAnywhere: keyHits(),
}
await nc.close()
await server.stop()
console.log(`BENCH ${JSON.stringify({ bench: 'keyring-remnants', ...figures })}`)
console.log(
  `destroy of ${figures.versions} versions: ${before} sealed copies on disk before, ${after} after, ${figures.sealedCopiesAfterRestart} after a restart; ` +
    `the old way (history 1, erase latest, purge) left ${legacyAfter} (${figures.baselineSealedCopiesAfterRestart} after a restart); raw key hits: ${figures.rawKeyHitsAnywhere}`,
)

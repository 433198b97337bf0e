// How much memory ingest's frame copies (ingest/frame-copies.ts) keep while JetStream does not
// answer: a real nats-server is paused (SIGSTOP, as a stalled disk or a leader election would
// leave it), and real sockets send, per session, small frames that ingest must keep (published
// and waiting for a PubAck, or waiting for a run-time key to be read), each followed by 256 KiB
// of frames it refuses at once. Prints the growth of this process's memory (ingest runs in it)
// after a full GC. Run: node --expose-gc --import tsx bench/slab-pinning.ts [sessions]
// Only loopback traffic; bounded in count; stops by itself. Measured (200 sessions): awaiting a
// PubAck 0 MiB (nats.js copies a published frame at once); waiting for a run-time key 288 MiB
// before session-handler.ts copied those frames out of the slab, 0 MiB after.
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { Packr } from 'msgpackr'
import { rawHello, rawSession, type RawSession } from '../test/support/raw-session.ts'
import { createTestWorld, eventually, testKey } from '../test/support/test-pipeline.ts'

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc --import tsx bench/slab-pinning.ts')
const sessions = Number(process.argv[2] ?? 200)
const fillerFrame = Buffer.concat([Buffer.from([0xc1]), randomBytes(32_000)]) // refused: not accepted msgpack
const fillerPerKept = 8 // 8 x 32 KB: a 256 KiB slab between two kept frames
const call = { conferenceId: 'room-pin', participantId: 'u-pin', peerConnectionId: 'pc-pin' }

async function memory(): Promise<{ rssMiB: number; arrayBuffersMiB: number }> {
  for (let i = 0; i < 3; i++) {
    gc!()
    await sleep(50)
  }
  const { rss, arrayBuffers } = process.memoryUsage()
  return { rssMiB: Math.round(rss / 2 ** 20), arrayBuffersMiB: Math.round(arrayBuffers / 2 ** 20) }
}

const world = await createTestWorld()
try {
  const pipeline = await world.start({ role: 'ingest', publishTimeoutMs: 60_000, framesPerSecondPerSession: 10_000, framesPerSecondPerTenant: 1_000_000, maxInFlight: 1_000_000, helloTimeoutMs: 60_000 })
  const url = pipeline.ingest!.url
  const metric = async (name: string) => {
    const text = await (await fetch(`http://127.0.0.1:${pipeline.ingest!.port}/metrics`)).text()
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0)
  }
  const filler = await rawSession(url)
  filler.send(rawHello(testKey))
  await filler.next('ack')
  // Waits until ingest has read `bytes` more (its bytes counter): frames of different sockets are then
  // cut from the slab in the order sent (uWS would otherwise read each socket's burst whole).
  let counted = 0
  const received = async (bytes: number) => {
    counted += bytes
    await eventually(async () => (await metric('callmask_ingest_bytes_total')) >= counted, 60_000, 'ingest to read the frame')
  }
  const packr = new Packr({ useRecords: false })

  async function scenario(name: string, openSession: () => Promise<RawSession>, keptPerSession: number, afterPause?: (s: RawSession) => Promise<void>): Promise<void> {
    const opened: RawSession[] = []
    for (let i = 0; i < sessions; i++) opened.push(await openSession())
    const before = await memory()
    counted = await metric('callmask_ingest_bytes_total')
    process.kill(world.nats.pid!, 'SIGSTOP')
    let kept = 0
    try {
      for (const [i, s] of opened.entries()) {
        await afterPause?.(s)
        for (let k = 0; k < keptPerSession; k++) {
          const frame = packr.pack({ type: 'event', seq: k + 1, ts: Date.now(), call, name: 'join', value: `${i}` })
          s.sendRaw(frame)
          await received(frame.byteLength)
          for (let j = 0; j < fillerPerKept; j++) filler.sendRaw(fillerFrame)
          await received(fillerPerKept * fillerFrame.byteLength)
          kept += 1
        }
      }
      const during = await memory()
      const inFlight = await metric('callmask_ingest_publishes_in_flight')
      const refusedMiB = Math.round((kept * fillerPerKept * fillerFrame.byteLength) / 2 ** 20)
      console.log(JSON.stringify({ scenario: name, sessions, keptFrames: kept, inFlight, refusedMiB, before, during, growthMiB: during.arrayBuffersMiB - before.arrayBuffersMiB }))
    } finally {
      process.kill(world.nats.pid!, 'SIGCONT')
    }
  }

  // 1. Each session has one frame published and waiting for its PubAck.
  await scenario('published, awaiting PubAck', async () => {
    const s = await rawSession(url)
    s.send(rawHello(testKey))
    await s.next('ack')
    return s
  }, 1)
  // 2. Each session's hello names a run-time key ingest has never seen: its frames wait for the read (no key needed).
  await scenario('queued before a run-time key is read', () => rawSession(url), 8, async (s) => {
    const hello = packr.pack(rawHello(`cmk_${randomBytes(6).toString('hex')}_${'A'.repeat(43)}`))
    s.sendRaw(hello)
    await received(hello.byteLength)
  })
} finally {
  await world.close()
}
process.exit(0)

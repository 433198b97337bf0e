// One run of the fault matrix (`npm run faults`, test/fault-matrix.integration.test.ts): a
// scaled-out callmask of real processes (a three-node JetStream cluster, a ClickHouse
// process, two ingest and two processor processes), a steady load of sessions that know both
// ingest URLs, one fault injected mid-load, then the count of what was sent, acked, stored,
// duplicated and lost, and how long the pipeline took to recover.
//  - ack pause: the longest a session with frames in flight waited for an ack, from the fault on;
//  - caught up: from the fault until every frame acked before it is stored;
//  - recovery: from the repair (the end of the fault, or the kill itself when nothing is
//    repaired) until every frame acked by then is stored.
import { connect } from '@nats-io/transport-node'
import { setTimeout as sleep } from 'node:timers/promises'
import { createKeyring, openKeyringBucket } from '../../keyring/keyring.ts'
import { parseMasterKey } from '../../keyring/master-key.ts'
import { computePseudonym } from '../../keyring/pseudonymiser.ts'
import { CallmaskClient } from '../../sdk/callmask-client.ts'
import { selectReports } from '../../sdk/stats-frame.ts'
import { captureFrames, loadCapture } from './captures.ts'
import { startServiceProcess, type ServiceProcess } from './service-process.ts'
import { framesWaiting } from './stored-counts.ts'
import { createTestWorld, eventually, testKey, testTenant, type TestWorld } from './test-pipeline.ts'

export interface FaultContext {
  world: TestWorld
  /** Two at the start; a scenario may replace one (restarting a killed process). */
  ingests: ServiceProcess[]
  processors: ServiceProcess[]
  startProcessor(): Promise<ServiceProcess>
  startIngest(): Promise<ServiceProcess>
}

export interface FaultScenario {
  name: string
  /** Injects the fault; resolves at the repair. */
  inject(context: FaultContext): Promise<void>
}

export interface FaultResult {
  fault: string
  sent: number
  acked: number
  stored: number
  duplicates: number
  lost: number
  ackPauseS: number
  /** Later copies of frames two processors both wrote, removed by the later writer (the live processors' metric at the end). */
  copiesRemoved: number
  /** From the fault until every frame acked before it was stored. */
  caughtUpS: number
  recoveryS: number
}

export interface FaultRunOptions {
  /** Concurrent sessions, each replaying a capture, then the next. @default 4 */
  sessions?: number
  /** Frames per second per session. @default 10 */
  framesPerSecond?: number
  /** Load before the fault and after the repair, in seconds. @default 5, 10 */
  beforeS?: number
  afterS?: number
  /** Processors' ack wait: how long a dead processor's messages wait for redelivery. @default 10 */
  ackWaitS?: number
  /** How long everything may take to drain after the load. @default 180 */
  drainS?: number
}

const capture = loadCapture('chromium-loopback-av.json')

/** Frames stored per session (seqs, from every table) and rows stored twice. */
async function storedState(world: TestWorld): Promise<{ seqs: Map<string, Set<number>>; duplicates: number }> {
  const frames = await world.query<{ session_id: string; seq: string | number }>(
    `SELECT DISTINCT session_id, seq FROM (
       SELECT session_id, seq FROM {db}.rtp_samples UNION ALL
       SELECT session_id, seq FROM {db}.connection_samples UNION ALL
       SELECT session_id, seq FROM {db}.call_events)`,
  )
  const seqs = new Map<string, Set<number>>()
  for (const row of frames) {
    const set = seqs.get(row.session_id) ?? new Set<number>()
    set.add(Number(row.seq))
    seqs.set(row.session_id, set)
  }
  const [dup] = await world.query<{ d: string | number }>(
    `SELECT (SELECT count() - uniqExact(session_id, seq, report_id) FROM {db}.rtp_samples)
          + (SELECT count() - uniqExact(session_id, seq, pair_id) FROM {db}.connection_samples) AS d`,
  )
  return { seqs, duplicates: Number(dup?.d ?? 0) }
}

/** callmask_processor_duplicate_frames_removed_total of one processor process, from its status server. */
async function copiesRemovedBy(processor: ServiceProcess): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${processor.port}/metrics`).then((r) => r.text(), () => '')
  let total = 0
  for (const match of text.matchAll(/^callmask_processor_duplicate_frames_removed_total\{[^}]*\} (\d+)$/gm)) total += Number(match[1])
  return total
}

/** Sessions replaying the capture at a steady rate, a new session when one ends. */
function startLoad(ingestUrls: () => string[], sessions: number, framesPerSecond: number) {
  const clients: CallmaskClient[] = []
  let running = true
  const slots = Array.from({ length: sessions }, async (_, slot) => {
    while (running) {
      const urls = ingestUrls()
      const client = new CallmaskClient({ url: slot % 2 === 0 ? urls : [...urls].reverse(), key: testKey })
      clients.push(client)
      client.connect().catch(() => undefined) // reconnects on its own, to the next URL
      for (const frame of captureFrames(capture).filter((f) => f.peerId === 'caller')) {
        if (!running) break
        await client.sendStats(frame.call, selectReports(frame.reports), Date.now())
        await sleep(1000 / framesPerSecond)
      }
    }
  })
  return {
    clients,
    acked: () => clients.reduce((n, c) => n + c.lastAckedSeq, 0),
    sent: () => clients.reduce((n, c) => n + c.lastAckedSeq + c.pending, 0),
    async stop() {
      running = false
      await Promise.all(slots)
    },
  }
}

export async function runFaultScenario(scenario: FaultScenario, options: FaultRunOptions = {}): Promise<FaultResult> {
  const ackWaitS = options.ackWaitS ?? 10
  const world = await createTestWorld({ natsNodes: 3, clickhouseProcess: true })
  const processorEnv = { CALLMASK_ACK_WAIT_S: String(ackWaitS) }
  const context: FaultContext = {
    world,
    ingests: [],
    processors: [],
    startProcessor: () => startServiceProcess(world, 'processor', processorEnv),
    startIngest: () => startServiceProcess(world, 'ingest'),
  }
  const everyProcess = () => [...context.ingests, ...context.processors]
  let finished = false
  try {
    context.processors.push(await context.startProcessor(), await context.startProcessor())
    context.ingests.push(await context.startIngest(), await context.startIngest())
    // The processors created the tenant's key at start-up.
    const storedSessionId = await sessionPseudonyms(world)
    const urls = context.ingests.map((i) => i.url)
    const load = startLoad(() => urls, options.sessions ?? 4, options.framesPerSecond ?? 10)
    await sleep((options.beforeS ?? 5) * 1000)

    // Acks over time, per session, from the fault on: the longest a session waited for one.
    const faultAt = Date.now()
    const waits = new Map<CallmaskClient, { acked: number; since: number }>()
    let ackPauseMs = 0
    const watch = setInterval(() => {
      const now = Date.now()
      for (const client of load.clients) {
        const seen = waits.get(client)
        if (!seen || client.lastAckedSeq > seen.acked || client.pending === 0) {
          if (seen && client.lastAckedSeq > seen.acked) ackPauseMs = Math.max(ackPauseMs, now - Math.max(seen.since, faultAt))
          waits.set(client, { acked: client.lastAckedSeq, since: now })
        }
      }
    }, 50)
    // When was every frame acked by a moment stored? The very frames, per session, not a
    // count (newer frames stored by another processor must not hide older ones missing).
    const storedBy = (acked: Map<CallmaskClient, number>) => {
      const found = { at: undefined as number | undefined }
      const allStored = async () => {
        const { seqs } = await storedState(world)
        for (const [client, upTo] of acked) {
          const mine = seqs.get(storedSessionId(client.sessionId))
          for (let seq = 1; seq <= upTo; seq++) if (!mine?.has(seq)) return false
        }
        return true
      }
      const done = (async () => {
        while (found.at === undefined && !finished) {
          if (await allStored().catch(() => false)) found.at = Date.now()
          else await sleep(200)
        }
      })()
      return Object.assign(found, { done })
    }
    const ackedNow = () => new Map(load.clients.map((c) => [c, c.lastAckedSeq]))
    const caughtUp = storedBy(ackedNow())
    await scenario.inject(context)
    const repairedAt = Date.now()
    const recovered = storedBy(ackedNow())
    await sleep((options.afterS ?? 10) * 1000)
    await load.stop()
    const drainMs = (options.drainS ?? 180) * 1000
    await Promise.all(load.clients.map((c) => c.waitForAck(undefined, drainMs).catch(() => undefined)))
    clearInterval(watch)
    const acked = load.acked()
    await Promise.race([storedBy(ackedNow()).done, sleep(drainMs, undefined, { ref: false })])
    await eventually(async () => (await framesWaiting(world)) === 0, drainMs, `${scenario.name}: the stream to be empty`).catch(() => undefined)
    await Promise.race([Promise.all([caughtUp.done, recovered.done]), sleep(1000)])

    const { seqs, duplicates } = await storedState(world)
    const copiesRemoved = (await Promise.all(context.processors.map((p) => copiesRemovedBy(p)))).reduce((a, b) => a + b, 0)
    let stored = 0
    let lost = 0
    for (const client of load.clients) {
      const mine = seqs.get(storedSessionId(client.sessionId)) ?? new Set<number>()
      stored += mine.size
      for (let seq = 1; seq <= client.lastAckedSeq; seq++) if (!mine.has(seq)) lost += 1
    }
    const result: FaultResult = {
      fault: scenario.name,
      sent: load.sent(),
      acked,
      stored,
      duplicates,
      lost,
      ackPauseS: ackPauseMs / 1000,
      copiesRemoved,
      recoveryS: recovered.at === undefined ? Number.POSITIVE_INFINITY : Math.max(0, recovered.at - repairedAt) / 1000,
      caughtUpS: caughtUp.at === undefined ? Number.POSITIVE_INFINITY : (caughtUp.at - faultAt) / 1000,
    }
    for (const client of load.clients) client.close()
    return result
  } finally {
    finished = true
    for (const service of everyProcess()) await service.stop().catch(() => undefined)
    await world.close()
  }
}

// Session ids are stored as their keyed pseudonyms: computed with the tenant's key, as an
// admin with the master key could, to find each client's rows.
async function sessionPseudonyms(world: TestWorld): Promise<(sessionId: string) => string> {
  const admin = await connect(world.natsOptions('admin'))
  try {
    const keyring = createKeyring({ kv: await openKeyringBucket(admin), masterKey: parseMasterKey(world.masterKey) })
    const key = await keyring.currentKey(testTenant)
    return (sessionId) => computePseudonym(key, 'session', sessionId)
  } finally {
    await admin.close()
  }
}

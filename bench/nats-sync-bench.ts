// Question: what does `sync_interval: always` (nats-server 2.10: fsync after every write to
// the JetStream file store, so an acknowledged frame survives a power loss, not just a
// crash of nats-server) cost in JetStream publish throughput, compared with the default
// (the store is fsynced every 2 minutes; the page cache holds the rest)?
//
// Method: for each round a fresh nats-server is spawned here (its own tiny config in a temp
// dir: `listen: 127.0.0.1:-1`, `ports_file_dir`, the monitoring port, and
// `jetstream { store_dir, sync_interval: always }` or no sync setting), its ports file polled
// until it listens, and its /varz checked for the sync mode it really runs with. The CALLMASK
// stream is created as production does (ensureStreams), and realistic frames (bench-frames.ts:
// the av capture, ~7 KB msgpack, 20 sessions interleaved) are published with ingest's headers
// through ingest's own publisher (createJetStreamPublisher), `window` of them awaiting their
// PubAck at any time. After a warm-up (1,000 frames), the time to get a PubAck for
// `messages` frames (default 20,000; fewer if `maxSeconds`, default 10, runs out first) is
// measured. Rounds run ABBA (default, always, always, default, ...); the median per mode
// and their ratio are reported. nats-server and this process share the machine's cores
// and one disk: the ratio is the point, and it says what fsync costs on this disk (a
// virtual disk whose host caches writes makes fsync cheap; a real one may cost far more).
import { connect } from '@nats-io/transport-node'
import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createJetStreamPublisher } from '../ingest/jetstream-publisher.ts'
import { envelopeHeaderValues } from '../lib/frame-envelope.ts'
import { ensureStreams, framesSubject } from '../lib/jetstream-streams.ts'
import { findNatsServerBinary } from '../lib/nats-server-launcher.ts'
import { buildSessionFrames } from './bench-frames.ts'
import { nowMs, numericArgs, report, round, sleep } from './bench-report.ts'
import { dieWithParent, signalAndWait } from '../lib/child-process-lifetime.ts'

const args = numericArgs({ messages: 20_000, warmup: 1000, window: 256, sessions: 20, rounds: 2, maxSeconds: 10 })
type Mode = 'default' | 'always'
const tenant = 'bench'
const binary = findNatsServerBinary()
const sessions = Array.from({ length: args.sessions }, (_, i) => ({ id: `n${Date.now().toString(36)}s${i}`, frames: buildSessionFrames(i) }))

interface Server {
  url: string
  syncAlways: boolean
  stop(): Promise<void>
}

/** A private nats-server with its own config, like lib/nats-server-launcher.ts but with the sync mode as a knob. */
async function startServer(mode: Mode): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'callmask-bench-sync-'))
  const portsDir = join(dir, 'ports')
  const configPath = join(dir, 'nats.conf')
  writeFileSync(configPath, [
    'listen: 127.0.0.1:-1',
    'http: 127.0.0.1:-1',
    `ports_file_dir: ${JSON.stringify(portsDir)}`,
    `jetstream { store_dir: ${JSON.stringify(join(dir, 'store'))}${mode === 'always' ? ', sync_interval: always' : ''} }`,
    '',
  ].join('\n'))
  mkdirSync(portsDir)
  // The log goes to a file, not a pipe (as lib/nats-server-launcher.ts does).
  const logPath = join(dir, 'nats-server.log')
  const logFd = openSync(logPath, 'a')
  const proc = spawn(binary, ['-c', configPath], { stdio: ['ignore', 'ignore', logFd] })
  closeSync(logFd)
  dieWithParent(proc)
  const stop = async () => {
    await signalAndWait(proc, 'SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
  const deadline = nowMs() + 10_000
  let ports: { nats?: string[]; monitoring?: string[] } | undefined
  while (!ports?.nats?.[0] || !ports.monitoring?.[0]) {
    if (proc.exitCode !== null || nowMs() > deadline) {
      const log = readFileSync(logPath, 'utf8').slice(-2000).trim()
      await stop()
      throw new Error(`nats-server (${mode}) did not start: ${log}`)
    }
    await sleep(20)
    const file = readdirSync(portsDir).find((f) => f.endsWith('.ports'))
    if (file) ports = JSON.parse(readFileSync(join(portsDir, file), 'utf8')) as typeof ports
  }
  // What the server runs with, not what we asked for.
  const varz = (await (await fetch(`${ports.monitoring[0]}/varz`)).json()) as { jetstream?: { config?: { sync_always?: boolean } } }
  return { url: ports.nats[0], syncAlways: varz.jetstream?.config?.sync_always === true, stop }
}

interface Round {
  mode: Mode
  syncAlways: boolean
  /** PubAcks timed: `messages`, or fewer when `maxSeconds` ran out first. */
  messages: number
  messagesPerSecond: number
  megabytesPerSecond: number
}

async function runRound(mode: Mode, index: number): Promise<Round> {
  const server = await startServer(mode)
  const nc = await connect({ servers: server.url, name: 'callmask-bench-sync' })
  await ensureStreams(nc, { duplicateWindowS: 120, maxAgeH: 1 })
  const publisher = createJetStreamPublisher(nc, { timeoutMs: 60_000 })
  let next = 0
  let stopAt = Infinity
  let acked = 0
  let bytes = 0
  const publishUpTo = async (end: number) => {
    while (next < end && nowMs() < stopAt) {
      const i = next++
      const session = sessions[i % sessions.length]!
      const seq = Math.floor(i / sessions.length) + 1
      const data = session.frames.frame(seq, Date.now())
      await publisher.publish(framesSubject(tenant), data, envelopeHeaderValues({ tenant, sessionId: session.id, seq, encoding: 'msgpack', receivedAt: Date.now() }))
      if (i >= args.warmup) {
        acked++
        bytes += data.byteLength
      }
    }
  }
  // `window` publishers in a row each await their PubAck: that many are in flight.
  const pipeline = (end: number) => Promise.all(Array.from({ length: args.window }, () => publishUpTo(end)))
  await pipeline(args.warmup)
  const t0 = nowMs()
  stopAt = t0 + args.maxSeconds * 1000 // a disk that really flushes may take far longer than this one
  await pipeline(args.warmup + args.messages)
  const seconds = (nowMs() - t0) / 1000
  publisher.close()
  await nc.close()
  await server.stop()
  const measured: Round = { mode, syncAlways: server.syncAlways, messages: acked, messagesPerSecond: acked / seconds, megabytesPerSecond: bytes / seconds / 1e6 }
  if (measured.syncAlways !== (mode === 'always')) throw new Error(`nats-server (${mode}) reports sync_always ${measured.syncAlways}`)
  process.stderr.write(`  round ${index + 1} ${mode}: ${round(measured.messagesPerSecond)} msg/s, ${round(measured.megabytesPerSecond, 1)} MB/s (${acked} PubAcks in ${round(seconds, 2)} s)\n`)
  return measured
}

const order: Mode[] = []
for (let r = 0; r < args.rounds; r++) order.push(...((r % 2 === 0 ? ['default', 'always'] : ['always', 'default']) as Mode[]))
const rounds: Round[] = []
for (const [i, mode] of order.entries()) rounds.push(await runRound(mode, i))

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
const summary = (mode: Mode) => {
  const mine = rounds.filter((r) => r.mode === mode)
  return {
    messagesPerSecond: round(median(mine.map((r) => r.messagesPerSecond))),
    megabytesPerSecond: round(median(mine.map((r) => r.megabytesPerSecond)), 1),
    rounds: mine.map((r) => round(r.messagesPerSecond)),
    messagesTimed: mine.map((r) => r.messages),
  }
}
const syncDefault = summary('default')
const syncAlways = summary('always')
const ratio = round(syncAlways.messagesPerSecond / syncDefault.messagesPerSecond, 2)
const meanFrameBytes = sessions[0]!.frames.templates.reduce((n, t) => n + t.byteLength, 0) / sessions[0]!.frames.templates.length

report(
  {
    benchmark: 'nats-sync',
    messages: args.messages,
    windowInFlight: args.window,
    rounds: args.rounds,
    meanFrameBytes: round(meanFrameBytes),
    syncDefault,
    syncAlways,
    alwaysOverDefault: ratio,
  },
  `nats-sync: JetStream PubAck'ed publishes with sync_interval: always ${syncAlways.messagesPerSecond} msg/s (${syncAlways.megabytesPerSecond} MB/s) `
    + `vs default sync ${syncDefault.messagesPerSecond} msg/s (${syncDefault.megabytesPerSecond} MB/s): always/default ${ratio}x; `
    + `${args.messages} frames of ${round(meanFrameBytes / 1000, 1)} KB, ${args.window} in flight, file store in ${tmpdir()}; this process and nats-server share ${cpus().length} cores`,
)
process.exit(0)

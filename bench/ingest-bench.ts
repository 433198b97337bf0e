// Question: how many realistic stats frames per second (and MB/s) does ingest acknowledge,
// i.e. receive, check the envelope and store in JetStream, and how much CPU per frame does it
// cost next to the baseline: a plain `ws` server doing what ingest did before the envelope
// check (full decode + validate + publish, checkFrameInFull)? Target (issue 13): ingest's
// server CPU per frame <= 1/3 of the baseline's.
//
// Method: a private nats-server (JetStream, file store in a temp dir); in this process
// either the real ingest (startIngest, uWS) or the `ws` baseline (ws-ingest-baseline.ts),
// both running the same createSession -> JetStream publisher. A load generator in a child
// process (load-generator.ts) opens N sessions (default 20) and streams the av capture's
// frames (msgpack, ~7 KB, fresh seqs), each keeping `window` frames unacknowledged. After a
// warm-up, frames acknowledged (= stored by JetStream) in a fixed window are counted.
// Rounds run ABBA (uws, ws, ws, uws, ...) with the stream purged before each, and the
// median per server is reported, plus the server process's CPU time per acked frame,
// which is less sensitive than throughput to the machine being shared. The load
// generator, the server and nats-server share the machine's 2 cores: absolute figures are
// a floor, the uWS/ws ratio is the point.
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import { startIngest } from '../ingest/index.ts'
import { hashIngestKey } from '../ingest/ingest-keys.ts'
import { uwsIsNative } from '../ingest/uws-runtime.ts'
import { loadConfig } from '../lib/config.ts'
import { ensureStreams, framesStream } from '../lib/jetstream-streams.ts'
import { startNatsServer } from '../lib/nats-server-launcher.ts'
import { checkFrameEnvelope, checkFrameInFull } from '../lib/frame-envelope-check.ts'
import { buildSessionFrames } from './bench-frames.ts'
import { benchLogger, cpuMeter, numericArgs, report, round } from './bench-report.ts'
import { runLoadGenerator, type LoadResult } from './load-generator-process.ts'
import { startWsIngest } from './ws-ingest-baseline.ts'

const args = numericArgs({ sessions: 20, seconds: 3, warmup: 1, window: 64, rounds: 2 })
const key = 'bench-ingest-key-0123456789'
const log = benchLogger()
const storeDir = mkdtempSync(join(tmpdir(), 'callmask-bench-nats-'))
const nats = await startNatsServer({ storeDir })
const nc = await connect({ servers: nats.url, name: 'callmask-bench-ingest' })
const jsm = await jetstreamManager(nc)
// Ingest only publishes; the streams are set up as an admin (here: no authentication) would.
await ensureStreams(nc, { duplicateWindowS: 900, maxAgeH: 168 })
const config = loadConfig({}, {
  natsUrl: nats.url,
  ingestHost: '127.0.0.1',
  ingestPort: 0,
  ingestKeys: [{ id: 'bench', tenant: 'bench', sha256: hashIngestKey(key) }],
  logLevel: 'warn',
  // A load test measures throughput, not the per-session limits.
  framesPerSecondPerSession: 1_000_000,
  framesPerSecondPerTenant: 10_000_000,
})

type Kind = 'uws' | 'ws'
interface Round {
  kind: Kind
  framesPerSecond: number
  megabytesPerSecond: number
  serverCpuUsPerFrame: number
  result: LoadResult
}

async function runRound(kind: Kind, index: number): Promise<Round> {
  const server = kind === 'uws' ? await startIngest(config, { nc, log, registry: new Registry() }) : await startWsIngest(config, { nc, log })
  await jsm.streams.purge(framesStream)
  const cpu = cpuMeter()
  const result = await runLoadGenerator({
    url: server.url,
    key,
    runId: `i${Date.now().toString(36)}${kind}${index}`,
    sessions: args.sessions,
    mode: 'saturate',
    window: args.window,
    ratePerSession: 0,
    warmupMs: args.warmup * 1000,
    durationMs: args.seconds * 1000,
    framesPerSession: 0,
    drainTimeoutMs: 15_000,
  })
  const serverCpu = cpu()
  await server.close()
  if (result.framesAcked !== result.framesSent) {
    throw new Error(`${kind}: ${result.framesSent - result.framesAcked} frames were never acknowledged (errors ${JSON.stringify(result.errors)})`)
  }
  const measured: Round = {
    kind,
    framesPerSecond: result.measured.frames / result.measured.seconds,
    megabytesPerSecond: result.measured.bytes / result.measured.seconds / 1e6,
    serverCpuUsPerFrame: (serverCpu / result.framesAcked) * 1e6,
    result,
  }
  process.stderr.write(`  round ${index + 1} ${kind}: ${round(measured.framesPerSecond)} frames/s, ${round(measured.megabytesPerSecond, 1)} MB/s, `
    + `server ${round(measured.serverCpuUsPerFrame)} us CPU/frame, load generator ${result.cpuSeconds} CPU s\n`)
  return measured
}

// The per-frame check each server pays, measured here on one core: the full decode + validate
// (the ws baseline) and the envelope check (ingest).
function checkUs(check: typeof checkFrameInFull): number {
  const frames = buildSessionFrames(0)
  const batch = Array.from({ length: 1000 }, (_, i) => frames.frame(i + 1, Date.now()))
  let us = 0
  for (let pass = 0; pass < 3; pass++) {
    const t0 = performance.now()
    for (const bytes of batch) if (!check(bytes, 'msgpack').ok) throw new Error('a bench frame is invalid')
    us = ((performance.now() - t0) * 1000) / batch.length
  }
  return us
}
const floorUs = checkUs(checkFrameInFull)
const envelopeUs = checkUs(checkFrameEnvelope)

const order: Kind[] = []
for (let r = 0; r < args.rounds; r++) order.push(...((r % 2 === 0 ? ['uws', 'ws'] : ['ws', 'uws']) as Kind[]))
const rounds: Round[] = []
for (const [i, kind] of order.entries()) rounds.push(await runRound(kind, i))

await nc.drain()
await nats.stop()
rmSync(storeDir, { recursive: true, force: true })

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
const summary = (kind: Kind) => {
  const mine = rounds.filter((r) => r.kind === kind)
  return {
    framesPerSecond: round(median(mine.map((r) => r.framesPerSecond))),
    megabytesPerSecond: round(median(mine.map((r) => r.megabytesPerSecond)), 1),
    serverCpuUsPerFrame: round(median(mine.map((r) => r.serverCpuUsPerFrame)), 1),
    rounds: mine.map((r) => round(r.framesPerSecond)),
  }
}
const uws = summary('uws')
const ws = summary('ws')
const frames = buildSessionFrames(0)
const meanFrameBytes = frames.templates.reduce((n, t) => n + t.byteLength, 0) / frames.templates.length
const errors: Record<string, number> = {}
for (const r of rounds) for (const [code, n] of Object.entries(r.result.errors)) errors[code] = (errors[code] ?? 0) + n
const ratio = round(uws.framesPerSecond / ws.framesPerSecond, 2)
const cpuRatio = round(ws.serverCpuUsPerFrame / uws.serverCpuUsPerFrame, 2)
const cpuShare = round(uws.serverCpuUsPerFrame / ws.serverCpuUsPerFrame, 2)

report(
  {
    benchmark: 'ingest',
    sessions: args.sessions,
    windowPerSession: args.window,
    measuredSeconds: args.seconds,
    rounds: args.rounds,
    meanFrameBytes: round(meanFrameBytes),
    uwsNative: uwsIsNative,
    uws,
    ws,
    uwsOverWsFrames: ratio,
    wsOverUwsCpuPerFrame: cpuRatio,
    decodeValidateUsPerFrame: round(floorUs, 1),
    envelopeCheckUsPerFrame: round(envelopeUs, 1),
    uwsCpuOverWsCpu: cpuShare,
    errors,
    clientBufferutil: rounds[0]?.result.bufferutil ?? false,
    sharedCores: 'load generator (child process), server under test and nats-server share the machine',
  },
  `ingest: uWS (envelope check) ${uws.framesPerSecond} frames/s (${uws.megabytesPerSecond} MB/s, ${uws.serverCpuUsPerFrame} us CPU/frame) vs ws (full decode+validate) ${ws.framesPerSecond} frames/s `
    + `(${ws.megabytesPerSecond} MB/s, ${ws.serverCpuUsPerFrame} us CPU/frame): uWS/ws ${ratio}x throughput, ws/uWS ${cpuRatio}x CPU per frame, uWS/ws ${cpuShare}x (target <= 0.33; envelope check ${round(envelopeUs, 1)} us/frame vs full decode+validate ${round(floorUs)} us/frame); `
    + `${args.sessions} sessions of ${round(meanFrameBytes / 1000, 1)} KB msgpack frames into JetStream${uwsIsNative ? '' : ' (uWS JS SHIM, not native!)'}; `
    + `load generator, server and nats-server share ${cpus().length} cores`,
)
process.exit(0)

// The Node load generator (child process entry; see load-generator-process.ts): N
// concurrent v1 sessions over `ws`, each streaming the capture's frames (bench-frames.ts,
// msgpack, fresh seqs from 1). Like CallmaskClient it never awaits an ack per frame: it
// keeps up to `window` frames unacknowledged (saturate) or sends at a fixed rate (steady),
// resends a frame after a retryable error, and counts what the acks cover. It does not use
// CallmaskClient itself because that encodes every frame anew (~10x the cost of the
// patched templates), which would make the client the bottleneck on 2 cores.
import { Packr, Unpackr } from 'msgpackr'
import { createRequire } from 'node:module'
import WebSocket from 'ws'
import { buildSessionFrames, type SessionFrames } from './bench-frames.ts'
import { cpuMeter, nowMs, percentile, round, sleep } from './bench-report.ts'
import type { LoadOptions, LoadResult } from './load-generator-process.ts'

const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions
const packr = new Packr({ useRecords: false })
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true })

const totals = { sent: 0, acked: 0, bytes: 0, rows: 0 }
const errors: Record<string, number> = {}
const ackLatencies: number[] = []
let measureFrom = Infinity
let stopped = false
let lastAckAt = 0

class SessionDriver {
  readonly frames: SessionFrames
  readonly sessionId: string
  private socket: WebSocket | undefined
  private nextSeq = 1
  private acked = 0
  private readonly sentAt: number[] = []
  private readonly resend = new Set<number>()
  private resendTimer: NodeJS.Timeout | undefined
  private helloAcked: (() => void) | undefined

  constructor(readonly index: number) {
    this.frames = buildSessionFrames(index)
    this.sessionId = `${options.runId}s${index}`
  }

  get sent(): number {
    return this.nextSeq - 1
  }
  get done(): boolean {
    return this.acked === this.sent
  }
  /** Acks are cumulative: seqs 1..ackedUpTo are stored in JetStream. */
  get ackedUpTo(): number {
    return this.acked
  }

  connect(): Promise<void> {
    const socket = new WebSocket(options.url, 'callmask.v1.msgpack', { perMessageDeflate: false })
    this.socket = socket
    socket.binaryType = 'nodebuffer'
    socket.on('message', (data: Buffer) => this.onMessage(data))
    socket.on('close', (code) => {
      if (!stopped) errors[`close ${code}`] = (errors[`close ${code}`] ?? 0) + 1
    })
    return new Promise<void>((resolve, reject) => {
      this.helloAcked = resolve
      socket.once('error', reject)
      socket.once('open', () => {
        const hello = { type: 'hello', v: 1, key: options.key, sessionId: this.sessionId, sdk: { name: 'callmask-bench', version: '0.1.0' } }
        socket.send(packr.pack(hello))
      })
    })
  }

  private canSend(): boolean {
    return !stopped && (options.framesPerSession === 0 || this.nextSeq <= options.framesPerSession)
  }

  private sendSeq(seq: number): void {
    const now = nowMs()
    if (this.sentAt[seq] === undefined) this.sentAt[seq] = now
    this.socket!.send(this.frames.frame(seq, Math.round(now)))
  }

  /** Saturate: top the window up. */
  pump(): void {
    while (this.nextSeq - 1 - this.acked < options.window && this.canSend()) {
      this.sendSeq(this.nextSeq++)
      totals.sent++
    }
  }

  /** Steady: send every frame due by `elapsedMs`. */
  sendDue(elapsedMs: number): void {
    const phase = this.index / options.sessions // spreads the sessions over one period
    const due = Math.floor((elapsedMs / 1000) * options.ratePerSession + phase)
    while (this.nextSeq <= due && this.canSend()) {
      this.sendSeq(this.nextSeq++)
      totals.sent++
    }
  }

  private onMessage(data: Buffer): void {
    const frame = unpackr.unpack(data) as { type: string; seq?: number; code?: string; retryable?: boolean }
    if (frame.type === 'ack' && typeof frame.seq === 'number') {
      if (this.helloAcked) {
        const resolve = this.helloAcked
        this.helloAcked = undefined
        resolve()
      }
      if (frame.seq <= this.acked) return
      const now = nowMs()
      for (let seq = this.acked + 1; seq <= frame.seq; seq++) {
        const t = this.frames.templateOf(seq)
        totals.bytes += this.frames.templates[t]!.byteLength
        totals.rows += this.frames.rowsPerTemplate[t]!
        const sentAt = this.sentAt[seq]
        if (options.mode === 'steady' && sentAt !== undefined && sentAt >= measureFrom) ackLatencies.push(now - sentAt)
      }
      totals.acked += frame.seq - this.acked
      this.acked = frame.seq
      lastAckAt = now
      if (options.mode === 'saturate') this.pump()
    } else if (frame.type === 'error') {
      const code = frame.code ?? 'unknown'
      errors[code] = (errors[code] ?? 0) + 1
      if (frame.retryable && typeof frame.seq === 'number') {
        this.resend.add(frame.seq)
        this.resendTimer ??= setTimeout(() => {
          this.resendTimer = undefined
          for (const seq of this.resend) if (seq > this.acked) this.sendSeq(seq)
          this.resend.clear()
        }, 50)
      }
    }
  }

  close(): void {
    clearTimeout(this.resendTimer)
    this.socket?.close(1000)
  }
}

async function main(): Promise<LoadResult> {
  const drivers = Array.from({ length: options.sessions }, (_, i) => new SessionDriver(i))
  await Promise.all(drivers.map((d) => d.connect()))
  const cpu = cpuMeter()
  const startedAt = nowMs()
  let measuredStart = { acked: 0, bytes: 0, at: startedAt }
  let measuredEnd: typeof measuredStart | undefined
  const snapshot = () => ({ acked: totals.acked, bytes: totals.bytes, at: nowMs() })

  let ticker: NodeJS.Timeout | undefined
  if (options.mode === 'saturate') for (const d of drivers) d.pump()
  else ticker = setInterval(() => {
    const elapsed = nowMs() - startedAt
    for (const d of drivers) d.sendDue(elapsed)
  }, 5)

  if (options.warmupMs > 0) {
    await sleep(options.warmupMs)
  }
  measureFrom = nowMs()
  measuredStart = snapshot()
  if (options.durationMs > 0) {
    await sleep(options.durationMs)
    measuredEnd = snapshot()
    stopped = true
  } else {
    // Bounded by frame count: wait until every frame is sent.
    while (drivers.some((d) => d.sent < options.framesPerSession)) await sleep(5)
  }
  clearInterval(ticker)
  const drainDeadline = nowMs() + options.drainTimeoutMs
  while (drivers.some((d) => !d.done) && nowMs() < drainDeadline) await sleep(2)
  stopped = true
  measuredEnd ??= { acked: totals.acked, bytes: totals.bytes, at: lastAckAt }
  const cpuSeconds = cpu()
  for (const d of drivers) d.close()

  const seconds = (measuredEnd.at - measuredStart.at) / 1000
  let bufferutil = false
  try {
    createRequire(import.meta.url).resolve('bufferutil')
    bufferutil = true
  } catch {
    // ws masks frames in JavaScript
  }
  return {
    sessions: drivers.length,
    framesSent: totals.sent,
    framesAcked: totals.acked,
    bytesAcked: totals.bytes,
    rowsAcked: totals.rows,
    ackedPerSession: drivers.map((d) => ({ sessionId: d.sessionId, upToSeq: d.ackedUpTo })),
    startedAt,
    allAckedAt: lastAckAt,
    measured: { frames: measuredEnd.acked - measuredStart.acked, bytes: measuredEnd.bytes - measuredStart.bytes, seconds },
    ackLatencyMs:
      options.mode === 'steady'
        ? { p50: round(percentile(ackLatencies, 50), 2), p99: round(percentile(ackLatencies, 99), 2), max: round(ackLatencies.reduce((a, b) => Math.max(a, b), 0), 2), count: ackLatencies.length }
        : undefined,
    errors,
    cpuSeconds: round(cpuSeconds, 2),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    bufferutil,
  }
}

main().then(
  (result) => process.send!(result, () => process.exit(0)),
  (error: unknown) => {
    console.error('load generator failed:', error)
    process.exit(1)
  },
)

// The Node client for the v1 wire protocol: opens a session, numbers frames, keeps every
// frame until an `ack` covers it, resends on retryable errors and after reconnects.
// Tests and benchmarks use it; the browser SDK follows the same rules.
import { randomBytes } from 'node:crypto'
import { Packr, Unpackr } from 'msgpackr'
import WebSocket from 'ws'
import type { AckFrame, CallContext, ErrorFrame, StatsReport } from '../schemas/frames.ts'
import { intervalSnapshot } from './stats-frame.ts'

export interface ClientOptions {
  /**
   * The ingest WebSocket URL, or several (ingest processes behind no balancer): every
   * reconnect tries the next one, so a session moves on when its ingest dies, and resumes.
   */
  url: string | readonly string[]
  key: string
  sessionId?: string
  encoding?: 'msgpack' | 'json'
  sdk?: { name: string; version: string }
  /** Unacknowledged frames kept for resending; beyond it send() waits. @default 10000 */
  maxUnacked?: number
  /** Reconnect after the socket closes (not after bad key or no hello), with jittered backoff. @default true */
  reconnect?: boolean
  /** Frames larger than this are refused here, before sending (the server's default limit). @default 262144 */
  maxFrameBytes?: number
  onError?: (error: ErrorFrame) => void
  /**
   * wss:// only: the CA certificate(s) (PEM) to trust instead of the system's, for a TLS
   * terminator with a private CA (README "TLS in front"). @default the system's CAs
   */
  ca?: string | Buffer | (string | Buffer)[]
}

const packr = new Packr({ useRecords: false })
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true })
// No valid hello, a bad key, a revoked or expired key, and the session taken over by another
// connection (reconnecting would take it back and the two would fight over one seq space):
// the app is told via onError, the client does not reconnect.
const fatalCloseCodes = new Set([4001, 4003, 4004, 4009])

export class CallmaskClient {
  readonly sessionId: string
  private socket: WebSocket | undefined
  private nextSeq = 1
  private acked = 0
  private unacked = new Map<number, Uint8Array | string>()
  /** Per peer connection and report id, the interval counters last sent. */
  private lastSnapshot = new Map<string, Map<string, StatsReport>>()
  private resendTimer: NodeJS.Timeout | undefined
  private toResend = new Set<number>()
  private retryDelayMs = 100
  private reconnectDelayMs = 250
  private waiters: { seq: number; resolve: () => void }[] = []
  private closedByUser = false
  private ready: Promise<void> | undefined
  private urlIndex = 0
  readonly errors: ErrorFrame[] = []
  /** Every ack seq received, for tests that check acks never run ahead of storage. */
  readonly ackHistory: number[] = []

  constructor(private readonly options: ClientOptions) {
    this.sessionId = options.sessionId ?? randomBytes(12).toString('base64url')
  }

  get lastAckedSeq(): number {
    return this.acked
  }
  /** The URL this client connects (or last connected) to. */
  get currentUrl(): string {
    const urls = typeof this.options.url === 'string' ? [this.options.url] : this.options.url
    return urls[this.urlIndex % urls.length]!
  }
  get pending(): number {
    return this.unacked.size
  }

  connect(): Promise<void> {
    this.ready ??= this.open()
    return this.ready
  }

  private open(): Promise<void> {
    const encoding = this.options.encoding ?? 'msgpack'
    const socket = new WebSocket(this.currentUrl, `callmask.v1.${encoding}`, this.options.ca === undefined ? {} : { ca: this.options.ca })
    this.socket = socket
    return new Promise<void>((resolve, reject) => {
      socket.once('error', (error) => {
        this.ready = undefined
        reject(error)
      })
      socket.once('open', () => {
        this.reconnectDelayMs = 250
        socket.send(this.encode({
          type: 'hello',
          v: 1,
          key: this.options.key,
          sessionId: this.sessionId,
          sdk: this.options.sdk ?? { name: 'callmask-node', version: '0.1.0' },
          lastAckedSeq: this.acked,
        }))
        // Everything not yet acknowledged goes again; JetStream drops the duplicates.
        for (const frame of this.unacked.values()) socket.send(frame)
        resolve()
      })
      socket.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary))
      socket.once('close', (code) => {
        this.ready = undefined
        if (this.closedByUser || fatalCloseCodes.has(code) || this.options.reconnect === false) return
        this.scheduleReconnect()
      })
    })
  }

  // Jittered exponential backoff, so a fleet of clients does not reconnect in lockstep.
  private scheduleReconnect(): void {
    this.urlIndex += 1
    const delay = this.reconnectDelayMs * (0.5 + Math.random())
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, 10_000)
    setTimeout(() => {
      if (!this.closedByUser) void this.connect().catch(() => this.scheduleReconnect())
    }, delay)
  }

  private encode(frame: object): Uint8Array | string {
    return (this.options.encoding ?? 'msgpack') === 'json' ? JSON.stringify(frame) : packr.pack(frame)
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    const frame = (isBinary ? unpackr.unpack(data) : JSON.parse(data.toString())) as AckFrame | ErrorFrame
    if (frame.type === 'ack') {
      this.ackHistory.push(frame.seq)
      this.retryDelayMs = 100
      for (let seq = this.acked + 1; seq <= frame.seq; seq++) this.unacked.delete(seq)
      this.acked = Math.max(this.acked, frame.seq)
      this.waiters = this.waiters.filter((w) => (w.seq <= this.acked ? (w.resolve(), false) : true))
    } else if (frame.type === 'error') {
      this.errors.push(frame)
      this.options.onError?.(frame)
      if (frame.seq === undefined) return
      // A frame refused for good is not sent again (the server settles its seq too).
      if (!frame.retryable) this.unacked.delete(frame.seq)
      else this.scheduleResend(frame.seq)
    }
  }

  // Retryable errors name one frame each; one timer resends exactly those, with backoff.
  private scheduleResend(seq: number): void {
    this.toResend.add(seq)
    if (this.resendTimer) return
    this.resendTimer = setTimeout(() => {
      this.resendTimer = undefined
      const seqs = [...this.toResend].sort((a, b) => a - b)
      this.toResend.clear()
      if (this.socket?.readyState !== WebSocket.OPEN) return // the reconnect resends everything
      for (const s of seqs) {
        const frame = this.unacked.get(s)
        if (frame) this.socket.send(frame)
      }
    }, this.retryDelayMs * (0.5 + Math.random()))
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 2000)
  }

  /** Sends one getStats() snapshot; returns its seq. */
  /**
   * Sends one getStats() snapshot of `call.peerConnectionId`. The frame carries the interval
   * counters of the snapshot sent before it for the same peer connection (`previous`), so
   * the server computes rates from the frame alone; `intervals: false` leaves them out.
   */
  async sendStats(call: CallContext, reports: StatsReport[], ts = Date.now(), options: { intervals?: boolean } = {}): Promise<number> {
    const frame: Record<string, unknown> = { type: 'stats', ts, call, reports }
    if (options.intervals !== false) {
      // Each report's own predecessor, so a snapshot split over two frames (or a report
      // missing from one) still gets its interval; [] on a peer connection's first frame.
      const known = this.lastSnapshot.get(call.peerConnectionId) ?? new Map<string, StatsReport>()
      this.lastSnapshot.set(call.peerConnectionId, known)
      const trimmed = intervalSnapshot(reports)
      frame['previous'] = trimmed.flatMap((report) => known.get(report.id) ?? [])
      for (const report of trimmed) known.set(report.id, report)
    }
    return this.sendData(frame)
  }

  async sendEvent(call: CallContext, name: string, value?: string | number, ts = Date.now()): Promise<number> {
    return this.sendData(value === undefined ? { type: 'event', ts, call, name } : { type: 'event', ts, call, name, value })
  }

  private async sendData(frame: Record<string, unknown>): Promise<number> {
    const max = this.options.maxUnacked ?? 10000
    if (this.unacked.size >= max) await this.waitForAck(this.nextSeq - max)
    const seq = this.nextSeq
    const encoded = this.encode({ ...frame, seq })
    const bytes = typeof encoded === 'string' ? Buffer.byteLength(encoded) : encoded.byteLength
    if (bytes > (this.options.maxFrameBytes ?? 262_144)) throw new Error(`frame of ${bytes} bytes exceeds maxFrameBytes; send fewer reports per frame`)
    this.nextSeq += 1
    this.unacked.set(seq, encoded)
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(encoded)
    return seq
  }

  /** Resolves when every frame up to `seq` (default: all sent) is acknowledged. */
  waitForAck(seq = this.nextSeq - 1, timeoutMs = 60_000): Promise<void> {
    if (seq <= this.acked) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`seq ${seq} not acknowledged within ${timeoutMs} ms (acked ${this.acked})`)), timeoutMs)
      this.waiters.push({ seq, resolve: () => (clearTimeout(timer), resolve()) })
    })
  }

  /** Drops the connection without a goodbye, as a network failure would. */
  dropConnection(): void {
    this.socket?.terminate()
  }

  close(): void {
    this.closedByUser = true
    clearTimeout(this.resendTimer)
    this.socket?.close(1000)
  }
}

// One WebSocket session of the v1 wire protocol for every monitored peer connection of a
// page: the hello, one seq space, frames kept until acked, resends after retryable errors,
// reconnects with jittered exponential backoff that resume from the last acked seq. The
// rules are the README's "Wire protocol v1" and the Node client's (sdk/callmask-client.ts).
// Nothing here throws into the app: problems become `error` events, states `state` events.
import { closeCodes, wireErrorCodes } from '../lib/errors.ts'
import type { ErrorFrame } from '../schemas/frames.ts'
import { socketOpen, type Environment, type SocketLike } from './browser-types.ts'
import { defaultBufferLimits, FrameBuffer, type BufferLimits, type QueuedFrame } from './frame-buffer.ts'
import { byteLength, decodeServerFrame, encodeFrame, stampSeq, subprotocolOf, type Encoding } from './frame-codec.ts'
import { CallmaskSdkError, Emitter, sdkErrorCodes, type SdkErrorCode, type SdkEventMap, type TransportState } from './sdk-events.ts'

export interface TransportOptions {
  /** One ingest URL, or several: every reconnect tries the next. */
  url: string | readonly string[]
  key: string
  encoding: Encoding
  sdk: { name: string; version: string }
  limits: BufferLimits
  /** Frames sent and not yet acked; more wait in the buffer. @default 64 */
  maxInFlight: number
  environment: Environment
}

export interface CloseResult {
  /** Every frame was acknowledged before the timeout. */
  flushed: boolean
  /** Frames not acknowledged (lost with the page). */
  pending: number
}

const fatalCloses: Record<number, SdkErrorCode> = {
  [closeCodes.badKey]: sdkErrorCodes.badKey,
  [closeCodes.sessionReplaced]: sdkErrorCodes.sessionReplaced,
  [closeCodes.noHello]: sdkErrorCodes.helloRefused,
}
const sessionAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

export class SessionTransport {
  readonly events = new Emitter<SdkEventMap>()
  readonly sessionId: string
  readonly buffer: FrameBuffer
  private socket: SocketLike | undefined
  private nextSeq = 1
  private acked = 0
  private currentState: TransportState = 'connecting'
  private reconnectDelayMs = 250
  private retryDelayMs = 100
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined
  private resendTimer: ReturnType<typeof setTimeout> | undefined
  private toResend = new Set<number>()
  private rateLimitedReported = false
  private droppingReported = false
  private flushWaiters: (() => void)[] = []
  private urlIndex = 0

  constructor(private readonly options: TransportOptions) {
    const random = options.environment.randomBytes(22)
    this.sessionId = Array.from(random, (b) => sessionAlphabet[b & 63]).join('')
    this.buffer = new FrameBuffer(options.limits ?? defaultBufferLimits, options.encoding)
    this.open()
  }

  get state(): TransportState {
    return this.currentState
  }
  get lastAckedSeq(): number {
    return this.acked
  }
  get stopped(): boolean {
    return this.currentState === 'failed' || this.currentState === 'closed'
  }

  /** Queues a data frame (encoded without seq); it is sent when the socket and window allow. */
  enqueue(frame: QueuedFrame): void {
    if (this.stopped) return
    const dropped = this.buffer.push(frame)
    if (dropped > 0 && !this.droppingReported) {
      // Once per burst of drops (again after the buffer emptied), with the running count.
      this.droppingReported = true
      this.report(sdkErrorCodes.bufferDropping, `the offline buffer is full (${this.buffer.frames} frames, ${this.buffer.bytes} bytes): dropping the oldest samples`, undefined, this.buffer.dropped)
    }
    this.pump()
  }

  private setState(state: TransportState): void {
    if (state === this.currentState) return
    this.currentState = state
    this.events.emit('state', state)
  }

  private report(code: SdkErrorCode, message: string, wireCode?: string, dropped?: number): void {
    this.events.emit('error', new CallmaskSdkError(code, message, wireCode, dropped))
  }

  /** The URL this session connects (or last connected) to. */
  get currentUrl(): string {
    const urls = typeof this.options.url === 'string' ? [this.options.url] : this.options.url
    return urls[this.urlIndex % urls.length]!
  }

  private open(): void {
    let socket: SocketLike
    const url = this.currentUrl
    try {
      socket = this.options.environment.createSocket(url, subprotocolOf(this.options.encoding))
    } catch (error) {
      this.report(sdkErrorCodes.disconnected, `cannot open ${url}: ${(error as Error).message}`)
      this.scheduleReconnect()
      return
    }
    socket.binaryType = 'arraybuffer'
    this.socket = socket
    socket.onopen = () => {
      socket.send(encodeFrame({ type: 'hello', v: 1, key: this.options.key, sessionId: this.sessionId, sdk: this.options.sdk, lastAckedSeq: this.acked }, this.options.encoding))
      // Resume: everything sent and not acked goes again, in seq order (JetStream drops duplicates).
      for (const [, frame] of this.buffer.sentFrames()) socket.send(frame.body)
      this.pump()
    }
    socket.onmessage = (event) => this.onMessage(event.data)
    socket.onerror = () => undefined // a close event follows
    socket.onclose = (event) => this.onClose(socket, event.code)
  }

  private onClose(socket: SocketLike, code: number): void {
    if (socket !== this.socket) return
    this.socket = undefined
    if (this.stopped) return
    const fatal = fatalCloses[code]
    if (fatal) {
      this.report(fatal, `the server closed the session for good (close ${code}); the SDK stops`)
      this.stop('failed')
      return
    }
    if (this.currentState === 'open') this.report(sdkErrorCodes.disconnected, `the connection closed (close ${code}); reconnecting with backoff`)
    this.scheduleReconnect()
  }

  // Jittered exponential backoff, so a fleet of pages does not reconnect in lockstep.
  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return
    this.urlIndex += 1
    this.setState('reconnecting')
    const delay = this.reconnectDelayMs * (0.5 + Math.random())
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, 10_000)
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined
      if (this.stopped) return
      this.setState('connecting')
      this.open()
    }, delay)
  }

  /** Sends queued frames while the socket is open and the in-flight window has room. */
  private pump(ignoreWindow = false): void {
    const socket = this.socket
    if (!socket || socket.readyState !== socketOpen) return
    while (this.buffer.unsent > 0 && (ignoreWindow || this.buffer.inFlight < this.options.maxInFlight)) {
      const frame = this.buffer.takeNext()!
      const seq = this.nextSeq++
      const body = stampSeq(frame.body, seq)
      this.buffer.markSent(seq, body, byteLength(body))
      socket.send(body)
    }
  }

  private onMessage(data: unknown): void {
    const frame = decodeServerFrame(data, this.options.encoding)
    if (!frame) return
    if (frame.type === 'ack') {
      if (this.currentState === 'connecting') {
        // The hello's ack: the session is up again.
        this.reconnectDelayMs = 250
        this.setState('open')
      }
      if (frame.seq > this.acked) {
        this.acked = frame.seq
        this.retryDelayMs = 100
        this.rateLimitedReported = false
        this.buffer.ackUpTo(frame.seq)
        this.events.emit('ack', frame.seq)
      }
      if (this.buffer.unsent === 0) this.droppingReported = false
      this.pump()
    } else {
      this.onError(frame)
    }
    if (this.buffer.empty) for (const resolve of this.flushWaiters.splice(0)) resolve()
  }

  private onError(frame: ErrorFrame): void {
    if (frame.code === wireErrorCodes.rateLimited) {
      if (!this.rateLimitedReported) this.report(sdkErrorCodes.rateLimited, frame.message, frame.code)
      this.rateLimitedReported = true
    } else if (!frame.retryable && frame.seq !== undefined) {
      this.report(sdkErrorCodes.frameRefused, `frame ${frame.seq} refused: ${frame.message}`, frame.code)
    }
    // Bad key, replaced session and a refused hello arrive with their close code, handled there.
    if (frame.seq === undefined) return
    if (frame.retryable) this.scheduleResend(frame.seq, frame.code === wireErrorCodes.rateLimited)
    else this.buffer.settle(frame.seq) // the server settled it too; the acks go on
  }

  // Retryable errors name one frame each; one timer resends exactly those, with backoff
  // (at least a second when rate-limited: the limit is counted per second).
  private scheduleResend(seq: number, rateLimited: boolean): void {
    this.toResend.add(seq)
    if (this.resendTimer) return
    const delay = Math.max(this.retryDelayMs * (0.5 + Math.random()), rateLimited ? 1000 : 0)
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 2000)
    this.resendTimer = setTimeout(() => {
      this.resendTimer = undefined
      const seqs = [...this.toResend].sort((a, b) => a - b)
      this.toResend.clear()
      const socket = this.socket
      if (!socket || socket.readyState !== socketOpen) return // the reconnect resends everything
      for (const s of seqs) {
        const body = this.buffer.sentFrame(s)
        if (body) socket.send(body)
      }
    }, delay)
  }

  /** Page unload: everything queued goes onto the socket now, window or not. */
  sendEverythingNow(): void {
    this.pump(true)
  }

  /** Waits (at most `timeoutMs`) until every frame is acknowledged, then closes the socket. */
  async close(timeoutMs = 3000): Promise<CloseResult> {
    if (this.stopped) return { flushed: this.buffer.empty, pending: this.buffer.frames }
    this.sendEverythingNow()
    if (!this.buffer.empty) {
      let timer: ReturnType<typeof setTimeout> | undefined
      await new Promise<void>((resolve) => {
        this.flushWaiters.push(resolve)
        timer = setTimeout(resolve, timeoutMs)
      })
      clearTimeout(timer)
    }
    const result = { flushed: this.buffer.empty, pending: this.buffer.frames }
    this.stop('closed')
    return result
  }

  private stop(state: 'failed' | 'closed'): void {
    clearTimeout(this.reconnectTimer)
    clearTimeout(this.resendTimer)
    this.reconnectTimer = this.resendTimer = undefined
    const socket = this.socket
    this.socket = undefined
    if (socket && socket.readyState <= socketOpen) socket.close(1000)
    this.setState(state)
    for (const resolve of this.flushWaiters.splice(0)) resolve()
  }
}

// The browser SDK's entry point (package export `callmask/browser`, bundled as
// sdk/dist/callmask-browser.js for a <script type=module>):
//
//   import { monitor } from 'callmask/browser'
//   const watched = monitor(pc, { url: 'wss://ingest.example.com/v1/ws', key, conferenceId, participantId })
//   watched.on('error', (e) => console.warn(e.code))   // never thrown
//   watched.rate(4)
//
// Every monitor with the same url, key and encoding shares one session: one WebSocket per
// page, one seq space. The page's unload sends what it can; close() flushes.
import type { CallContext } from '../schemas/frames.ts'
import { browserEnvironment, type Environment, type PeerConnectionLike } from './browser-types.ts'
import { defaultBufferLimits, type BufferLimits } from './frame-buffer.ts'
import type { Encoding } from './frame-codec.ts'
import { PeerMonitor } from './peer-monitor.ts'
import { Emitter, type Listener, type SdkEventMap, type TransportState } from './sdk-events.ts'
import { SessionTransport, type CloseResult } from './session-transport.ts'

export { CallmaskSdkError, sdkErrorCodes } from './sdk-events.ts'
export type { PollCost, SdkErrorCode, TransportState } from './sdk-events.ts'
export type { CloseResult } from './session-transport.ts'
export type { Environment, PeerConnectionLike } from './browser-types.ts'

export const sdkInfo = { name: 'callmask-browser', version: '0.1.0' } as const

export interface ConnectOptions {
  /**
   * The ingest WebSocket endpoint, e.g. `wss://ingest.example.com/v1/ws`, or several (ingest
   * processes behind no balancer): every reconnect tries the next, and the session resumes there.
   */
  url: string | readonly string[]
  /** The tenant's ingest key (publishable; restrict it with `origins` and `requireOrigin`). */
  key: string
  /** @default 'msgpack' */
  encoding?: Encoding
  /** Bounds of the offline buffer. @default { maxFrames: 1000, maxBytes: 4 MiB } */
  buffer?: Partial<BufferLimits>
  /** Frames sent and not acked at a time. @default 64 */
  maxInFlight?: number
  /** The browser's globals by default; tests pass fakes. */
  environment?: Environment
}

export interface CallOptions {
  conferenceId: string
  participantId: string
  /** @default a random id per monitored connection */
  peerConnectionId?: string
  displayName?: string
  callId?: string
  /** getStats() interval. @default 1000 */
  intervalMs?: number
}

export type MonitorOptions = ConnectOptions & CallOptions

export interface Monitor {
  readonly call: Readonly<CallContext>
  readonly active: boolean
  /** error (CallmaskSdkError), state (TransportState), ack (seq), poll (PollCost of this pc). */
  on<K extends keyof SdkEventMap>(type: K, listener: Listener<SdkEventMap[K]>): () => void
  /** The user's rating, an integer 1-5. */
  rate(score: number): void
  /** Stops monitoring this connection (sends `leave`); pc.close() does it too. */
  stop(): void
}

export interface Session {
  readonly sessionId: string
  readonly state: TransportState
  readonly lastAckedSeq: number
  /** Stats samples the offline buffer dropped so far. */
  readonly dropped: number
  /** Frames (and their bytes) not yet acknowledged. */
  readonly pending: { frames: number; bytes: number }
  monitor(pc: PeerConnectionLike, call: CallOptions): Monitor
  /** error, state and ack of the session (polls are per Monitor). */
  on<K extends keyof SdkEventMap>(type: K, listener: Listener<SdkEventMap[K]>): () => void
  /** Stops every monitor (each sends `leave`) and waits at most `timeoutMs` for the acks. */
  close(timeoutMs?: number): Promise<CloseResult>
}

const sessions = new Map<string, Session>()

/** The page's session for this url, key and encoding (created on first use). */
export function connect(options: ConnectOptions): Session {
  const encoding = options.encoding ?? 'msgpack'
  const id = `${[options.url].flat().join(' ')}\n${options.key}\n${encoding}`
  let session = sessions.get(id)
  if (!session || session.state === 'closed' || session.state === 'failed') {
    session = createSession(options, encoding, () => sessions.delete(id))
    sessions.set(id, session)
  }
  return session
}

/** Monitors `pc` on the page's shared session. */
export function monitor(pc: PeerConnectionLike, options: MonitorOptions): Monitor {
  return connect(options).monitor(pc, options)
}

/** Closes every session of the page, each flushing within `timeoutMs`. */
export async function close(timeoutMs = 3000): Promise<CloseResult> {
  const results = await Promise.all([...sessions.values()].map((s) => s.close(timeoutMs)))
  return { flushed: results.every((r) => r.flushed), pending: results.reduce((n, r) => n + r.pending, 0) }
}

function createSession(options: ConnectOptions, encoding: Encoding, forget: () => void): Session {
  const environment = options.environment ?? browserEnvironment()
  const transport = new SessionTransport({
    url: options.url,
    key: options.key,
    encoding,
    sdk: sdkInfo,
    limits: { ...defaultBufferLimits, ...options.buffer },
    maxInFlight: options.maxInFlight ?? 64,
    environment,
  })
  const monitors = new Set<PeerMonitor>()
  const detach: (() => void)[] = []
  // The page goes away: every monitor says leave, and everything queued goes out now.
  const pageHide = environment.onPageHide?.(() => {
    for (const m of monitors) m.stop()
    transport.sendEverythingNow()
  })
  if (pageHide) detach.push(pageHide)
  const deviceChange = environment.onDeviceChange?.(() => {
    for (const m of monitors) m.deviceChanged()
  })
  if (deviceChange) detach.push(deviceChange)
  let ids = 0

  return {
    sessionId: transport.sessionId,
    get state() {
      return transport.state
    },
    get lastAckedSeq() {
      return transport.lastAckedSeq
    },
    get dropped() {
      return transport.buffer.dropped
    },
    get pending() {
      return { frames: transport.buffer.frames, bytes: transport.buffer.bytes }
    },
    monitor(pc, callOptions) {
      const call: CallContext = {
        conferenceId: callOptions.conferenceId,
        participantId: callOptions.participantId,
        peerConnectionId: callOptions.peerConnectionId ?? `pc-${transport.sessionId.slice(0, 8)}-${++ids}`,
      }
      if (callOptions.displayName !== undefined) call.displayName = callOptions.displayName
      if (callOptions.callId !== undefined) call.callId = callOptions.callId
      const watched = new PeerMonitor(pc, call, transport, environment, callOptions.intervalMs ?? 1000, encoding)
      monitors.add(watched)
      watched.events.on('stopped', () => monitors.delete(watched))
      return {
        call,
        get active() {
          return watched.active
        },
        on(type, listener) {
          // Polls are this pc's; errors are the session's and this pc's; states and acks the session's.
          const off: (() => void)[] = []
          if (type !== 'poll') off.push(transport.events.on(type, listener))
          if (type === 'error' || type === 'poll') off.push(watched.events.on(type as 'error', listener as Listener<SdkEventMap['error']>))
          return () => off.forEach((f) => f())
        },
        rate: (score) => watched.rate(score),
        stop: () => watched.stop(),
      }
    },
    on: (type, listener) => transport.events.on(type, listener),
    async close(timeoutMs = 3000) {
      for (const m of [...monitors]) m.stop()
      for (const f of detach.splice(0)) f()
      const result = await transport.close(timeoutMs)
      forget()
      return result
    },
  }
}

// What ingest does with each frame of one WebSocket session: hello and key check, size,
// the envelope check (lib/frame-envelope-check.ts), publish to JetStream, and an `ack` only after the PubAck.
// Transport-agnostic: the uWS server and the `ws` baseline benchmark share it.
import { performance } from 'node:perf_hooks'
import type { Logger } from 'pino'
import { wireErrorCodes, closeCodes, type WireErrorCode } from '../lib/errors.ts'
import { envelopeHeaderValues, frameTimeProblem } from '../lib/frame-envelope.ts'
import { checkFrameEnvelope, type EnvelopeCheck } from '../lib/frame-envelope-check.ts'
import { framesSubject } from '../lib/jetstream-streams.ts'
import { validateClientFrame } from '../schemas/frame-validator.ts'
import type { HelloFrame } from '../schemas/frames.ts'
import type { IngestKeyring, KeyCheck } from './ingest-keys.ts'
import type { KeySessions } from './key-sessions.ts'
import type { IngestMetrics } from './ingest-metrics.ts'
import { PublishError, type JetStreamPublisher } from './jetstream-publisher.ts'
import type { TenantLimits, TokenBucket } from './rate-limits.ts'
import { SessionAcks } from './session-acks.ts'
import type { SessionRegistry } from './session-registry.ts'
import { peekSeq } from '../lib/peek-seq.ts'
import { decodeFrame, encodeFrame, MalformedFrameError, type Encoding } from '../lib/wire-codec.ts'

/** The transport under a session: a uWS or ws socket. */
export interface FrameSink {
  send(data: Uint8Array | string): void
  close(code: number, reason: string): void
  readonly closed: boolean
}

export interface SessionDeps {
  publisher: JetStreamPublisher
  keys: IngestKeyring
  metrics: IngestMetrics
  log: Logger
  limits: { maxFrameBytes: number; helloTimeoutMs: number; maxInFlight: number }
  tenantLimits: TenantLimits
  /** One connection per session id on this process; unset: no take-over (the ws bench baseline). */
  sessions?: SessionRegistry
  /** Closes sessions whose run-time key is revoked or expires; unset: static keys only. */
  keySessions?: KeySessions
  /** How a data frame is checked before it is stored. @default checkFrameEnvelope */
  checkFrame?: (bytes: Uint8Array, encoding: Encoding) => EnvelopeCheck
}

/** How far ahead of the ack watermark a seq may run: bounds the per-session set of stored seqs. */
export const maxSeqAhead = 65_536

/** A hello is small: before one is accepted, nothing larger is even decoded. */
export const maxHelloBytes = 2048

/** Frames a client may send after its hello while a run-time key is read from JetStream. */
export const maxFramesBeforeAuth = 64

/**
 * Bytes of such frames kept, in multiples of the frame size limit: without a byte budget an
 * unauthenticated connection could keep 64 frames of the transport's 1 MiB cap while the key
 * read is slow. Twice the limit still holds 64 ordinary 7 KB frames.
 */
const bytesBeforeAuthInFrameLimits = 2

/** Error frames carry at most this much text (errorFrameSchema's maxLength). */
const maxErrorMessageLength = 1024

export interface Session {
  onMessage(bytes: Uint8Array): void
  onClose(): void
}

export function createSession(sink: FrameSink, encoding: Encoding, origin: string | undefined, deps: SessionDeps): Session {
  const { publisher, keys, metrics, log, limits, tenantLimits } = deps
  let identity: { tenant: string; sessionId: string; keyId: string } | undefined
  let sessionBucket: TokenBucket | undefined
  let acks: SessionAcks | undefined
  let ackScheduled = false
  let releaseSession: (() => void) | undefined
  let releaseKey: (() => void) | undefined
  /** Frames that came while the hello's key was being read from JetStream, in order. */
  let beforeAuth: Uint8Array[] | undefined
  let bytesBeforeAuth = 0

  const helloTimer = setTimeout(() => {
    if (!identity) fail(wireErrorCodes.noHello, `no hello frame within ${limits.helloTimeoutMs} ms`, false, undefined, closeCodes.noHello)
  }, limits.helloTimeoutMs)

  function send(frame: object): void {
    if (!sink.closed) sink.send(encodeFrame(frame, encoding))
  }

  function fail(code: WireErrorCode, message: string, retryable: boolean, seq?: number, closeCode?: number): void {
    metrics.errors.inc({ code })
    // Messages may quote a field name the client sent: never more than the schema allows.
    const text = message.length > maxErrorMessageLength ? `${message.slice(0, maxErrorMessageLength - 1)}…` : message
    const frame: Record<string, unknown> = { type: 'error', code, message: text, retryable }
    if (seq !== undefined) frame['seq'] = seq
    send(frame)
    if (closeCode !== undefined && !sink.closed) sink.close(closeCode, code)
  }

  // Several PubAcks arriving together produce one ack frame.
  function scheduleAck(): void {
    if (ackScheduled) return
    ackScheduled = true
    setImmediate(() => {
      ackScheduled = false
      if (acks) send({ type: 'ack', seq: acks.highestContiguous })
    })
  }

  function onHello(hello: HelloFrame): void {
    clearTimeout(helloTimer)
    const check = keys.authenticate(hello.key, origin)
    if (!(check instanceof Promise)) return accept(hello, check)
    // A run-time key the cache has not seen: the client's next frames wait for the answer.
    beforeAuth = []
    void check.then((result) => {
      const queued = beforeAuth ?? []
      beforeAuth = undefined
      bytesBeforeAuth = 0
      if (sink.closed) return
      accept(hello, result)
      if (identity) for (const bytes of queued) onFrame(bytes)
    })
  }

  function accept(hello: HelloFrame, auth: KeyCheck): void {
    if (!auth.ok) {
      if (auth.refusal === 'keyRevoked') fail(wireErrorCodes.keyRevoked, auth.message, false, undefined, closeCodes.keyRevoked)
      else if (auth.refusal === 'unavailable') fail(wireErrorCodes.unavailable, auth.message, true, undefined, closeCodes.keyUnchecked)
      else fail(wireErrorCodes.badKey, auth.message, false, undefined, closeCodes.badKey)
      return
    }
    if (!tenantLimits.openSession(auth.tenant)) {
      fail(wireErrorCodes.tooManySessions, 'this tenant has its maximum of open sessions; retry later', true, undefined, closeCodes.tooManySessions)
      return
    }
    sessionBucket = tenantLimits.sessionBucket()
    identity = { tenant: auth.tenant, sessionId: hello.sessionId, keyId: auth.keyId }
    releaseSession = deps.sessions?.claim(auth.tenant, hello.sessionId, () =>
      fail(wireErrorCodes.sessionReplaced, 'a newer connection took over this session id; this one is closed', false, undefined, closeCodes.sessionReplaced),
    )
    if (auth.runTime) {
      releaseKey = deps.keySessions?.add(auth.keyId, (reason) => fail(wireErrorCodes.keyRevoked, `${reason}; this session is closed`, false, undefined, closeCodes.keyRevoked))
    }
    acks = new SessionAcks(hello.lastAckedSeq ?? 0)
    log.debug({ tenant: auth.tenant, keyId: auth.keyId, sdk: hello.sdk.name }, 'session started')
    send({ type: 'ack', seq: acks.highestContiguous })
  }

  // A data frame refused for good is settled: the ack watermark passes it, so one bad frame
  // cannot stall a session's acks (the error frame names its seq; the SDK drops it).
  function refuse(message: string, seq: number | undefined, code: WireErrorCode = wireErrorCodes.schema): void {
    fail(code, message, false, seq)
    // Only within the window: refused seqs far ahead must not grow the session's state.
    if (seq !== undefined && acks && seq <= acks.highestContiguous + maxSeqAhead && acks.markStored(seq)) scheduleAck()
  }

  function publish(bytes: Uint8Array, seq: number, type: string): void {
    if (!identity || !acks) return
    if (publisher.inFlight >= limits.maxInFlight) {
      fail(wireErrorCodes.backpressure, 'ingest is saturated; resend after a short delay', true, seq)
      return
    }
    const { tenant, sessionId } = identity
    const started = performance.now()
    const sessionAcks = acks
    // The stored payload is the client's frame as received; headers say whose it is.
    publisher
      .publish(framesSubject(tenant), bytes, envelopeHeaderValues({ tenant, sessionId, seq, encoding, receivedAt: Date.now() }))
      .then(
        (ack) => {
          // Within the duplicate window a seq is stored once: a resend (or, wrongly, a new
          // frame reusing the seq) is acknowledged without being stored again.
          if (ack.duplicate) metrics.duplicates.inc()
          else metrics.frames.inc({ type })
          metrics.publishSeconds.observe((performance.now() - started) / 1000)
          sessionAcks.markStored(seq)
          // Resends of already-acked seqs still deserve an ack, so always answer.
          scheduleAck()
        },
        (error: unknown) => {
          if (error instanceof PublishError && error.backlogFull) {
            warnBacklogFull(log)
            fail(wireErrorCodes.backpressure, 'the backlog waiting for the processors is full; resend after a short delay', true, seq)
            return
          }
          const retryable = !(error instanceof PublishError) || error.retryable
          log.warn({ tenant, err: (error as Error).message }, 'publish to JetStream failed')
          fail(wireErrorCodes.unavailable, 'JetStream is unavailable; resend this frame later', retryable, seq)
        },
      )
  }

  /** The decoded frame, or `notDecoded` after telling `refuse` why (the client's fault, never a crash). */
  function decodeOr(bytes: Uint8Array, refuse: (problem: string) => void): unknown {
    try {
      return decodeFrame(bytes, encoding)
    } catch (error) {
      if (!(error instanceof MalformedFrameError)) throw error
      refuse(error.message)
      return notDecoded
    }
  }

  // Before a key is checked only a small hello is decoded; anything else closes with 4001.
  function onFirstFrame(bytes: Uint8Array): void {
    if (bytes.byteLength > maxHelloBytes) {
      fail(wireErrorCodes.noHello, `the first frame must be a hello of at most ${maxHelloBytes} bytes`, false, undefined, closeCodes.noHello)
      return
    }
    const decoded = decodeOr(bytes, (problem) => fail(wireErrorCodes.noHello, `the first frame must be a hello: ${problem}`, false, undefined, closeCodes.noHello))
    if (decoded === notDecoded) return
    if ((decoded as { type?: unknown } | null)?.type !== 'hello') {
      fail(wireErrorCodes.noHello, 'the first frame must be a hello', false, undefined, closeCodes.noHello)
      return
    }
    const result = validateClientFrame(decoded)
    if (!result.ok || result.frame.type !== 'hello') {
      fail(wireErrorCodes.schema, `invalid hello: ${result.ok ? '/type' : result.message}`, false, undefined, closeCodes.noHello)
      return
    }
    onHello(result.frame)
  }

  function onFrame(bytes: Uint8Array): void {
    if (beforeAuth) {
      // A copy of its own: a frame kept until the key is read must not keep the shared slab
      // it was cut from (ingest/frame-copies.ts), 256 KiB for a frame of a few bytes.
      if (beforeAuth.length < maxFramesBeforeAuth && bytesBeforeAuth + bytes.byteLength <= bytesBeforeAuthInFrameLimits * limits.maxFrameBytes) {
        beforeAuth.push(bytes.slice())
        bytesBeforeAuth += bytes.byteLength
      } else fail(wireErrorCodes.backpressure, 'the key is still being checked; resend after a short delay', true, peekSeq(bytes, encoding))
      return
    }
    if (!identity) {
      onFirstFrame(bytes)
      return
    }
    // Every frame after the hello counts against the limits: malformed, oversized or valid.
    if (!sessionBucket!.take() || !tenantLimits.takeFrame(identity.tenant)) {
      fail(wireErrorCodes.rateLimited, 'frame rate limit exceeded for this session or tenant; resend later', true, peekSeq(bytes, encoding))
      return
    }
    if (bytes.byteLength > limits.maxFrameBytes) {
      refuse(`frame of ${bytes.byteLength} bytes exceeds the limit of ${limits.maxFrameBytes}`, peekSeq(bytes, encoding), wireErrorCodes.tooLarge)
      return
    }
    // The envelope only: the processor validates the reports (see lib/frame-envelope-check.ts).
    const frame = (deps.checkFrame ?? checkFrameEnvelope)(bytes, encoding)
    if (!frame.ok) {
      if (frame.malformed) refuse(frame.message, peekSeq(bytes, encoding), wireErrorCodes.malformed)
      else refuse(frame.message, frame.seq)
      return
    }
    if (frame.type === 'hello') {
      fail(wireErrorCodes.schema, '/type hello was already received on this session', false)
      return
    }
    if (frame.seq > acks!.highestContiguous + maxSeqAhead) {
      refuse(`/seq is more than ${maxSeqAhead} ahead of the last acknowledged seq ${acks!.highestContiguous}`, frame.seq)
      return
    }
    const timeProblem = frameTimeProblem(frame.ts, Date.now())
    if (timeProblem) {
      refuse(timeProblem, frame.seq)
      return
    }
    publish(bytes, frame.seq, frame.type)
  }

  return {
    onMessage(bytes) {
      metrics.bytes.inc(bytes.byteLength)
      onFrame(bytes)
    },
    onClose() {
      clearTimeout(helloTimer)
      releaseSession?.()
      releaseKey?.()
      if (identity) tenantLimits.closeSession(identity.tenant)
    },
  }
}

const notDecoded = Symbol('not decoded')

// While the stream is full every frame is refused: one line per process every 10 s, not one each.
let backlogWarnedAt = 0
function warnBacklogFull(log: Logger): void {
  const now = Date.now()
  if (now - backlogWarnedAt < 10_000) return
  backlogWarnedAt = now
  log.warn('JetStream refuses frames: the CALLMASK stream is at its size bound (CALLMASK_STREAM_MAX_MB) because the processors are behind; clients are told to resend')
}

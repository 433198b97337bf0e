// Every frame the SDK has not seen acknowledged: the sent ones (by seq, resent after a
// reconnect until an ack covers them) and the ones not sent yet (no seq yet, in order).
// Bounded in frames and bytes: when full, the oldest stats sample not yet sent is dropped
// and counted; events are never dropped, nor frames already sent (their seqs are known to
// the server, so dropping one would leave a gap that stalls the session's acks).
import type { StatsReport } from '../schemas/frames.ts'
import { byteLength, widenPrevious, type EncodedBody, type Encoding } from './frame-codec.ts'

export interface QueuedFrame {
  kind: 'stats' | 'event'
  body: EncodedBody
  bytes: number
  /** Stats: which peer connection's snapshot series the frame belongs to. */
  stream?: string
  /** Stats: the `previous` it carries, handed on to the next frame if this one is dropped. */
  previous?: StatsReport[]
  /** Called after this frame was dropped (the monitor rewinds its interval state). */
  onDropped?: () => void
}

export interface BufferLimits {
  /** @default 1000 */
  maxFrames: number
  /** Encoded bytes. @default 4 MiB */
  maxBytes: number
}

export const defaultBufferLimits: BufferLimits = { maxFrames: 1000, maxBytes: 4 * 1024 * 1024 }

export class FrameBuffer {
  private queued: QueuedFrame[] = []
  private sent = new Map<number, { body: EncodedBody; bytes: number }>()
  private totalBytes = 0
  /** Stats samples dropped since the start. */
  dropped = 0

  constructor(
    private readonly limits: BufferLimits,
    private readonly encoding: Encoding,
  ) {}

  get frames(): number {
    return this.queued.length + this.sent.size
  }
  get bytes(): number {
    return this.totalBytes
  }
  get unsent(): number {
    return this.queued.length
  }
  get inFlight(): number {
    return this.sent.size
  }
  get empty(): boolean {
    return this.frames === 0
  }

  /** Queues a frame; returns how many samples were dropped to make room (0 normally). */
  push(frame: QueuedFrame): number {
    this.queued.push(frame)
    this.totalBytes += frame.bytes
    let dropped = 0
    while (this.frames > this.limits.maxFrames || this.totalBytes > this.limits.maxBytes) {
      if (!this.dropOldestSample()) break // only events and sent frames left: they stay
      dropped += 1
    }
    this.dropped += dropped
    return dropped
  }

  /** The next frame to send, removed from the queue (give it a seq, then call markSent). */
  takeNext(): QueuedFrame | undefined {
    const frame = this.queued.shift()
    if (frame) this.totalBytes -= frame.bytes
    return frame
  }

  markSent(seq: number, body: EncodedBody, bytes: number): void {
    this.sent.set(seq, { body, bytes })
    this.totalBytes += bytes
  }

  /** The sent frames in seq order (a Map iterates in insertion order, and seqs only grow). */
  sentFrames(): IterableIterator<[number, { body: EncodedBody }]> {
    return this.sent.entries()
  }

  sentFrame(seq: number): EncodedBody | undefined {
    return this.sent.get(seq)?.body
  }

  /** Forgets every sent frame up to `seq` (an ack). */
  ackUpTo(seq: number): void {
    for (const [s, frame] of this.sent) {
      if (s > seq) break
      this.sent.delete(s)
      this.totalBytes -= frame.bytes
    }
  }

  /** Forgets one sent frame (refused for good by the server). */
  settle(seq: number): void {
    const frame = this.sent.get(seq)
    if (!frame) return
    this.sent.delete(seq)
    this.totalBytes -= frame.bytes
  }

  private dropOldestSample(): boolean {
    const index = this.queued.findIndex((f) => f.kind === 'stats')
    if (index < 0) return false
    const [victim] = this.queued.splice(index, 1)
    this.totalBytes -= victim!.bytes
    // The next sample of the same peer connection measured its interval from the dropped
    // one: it now measures from the dropped one's predecessor instead.
    const next = victim!.previous ? this.queued.find((f, i) => i >= index && f.kind === 'stats' && f.stream === victim!.stream) : undefined
    if (next) {
      next.body = widenPrevious(next.body, victim!.previous!, this.encoding)
      this.totalBytes -= next.bytes
      next.bytes = byteLength(next.body)
      this.totalBytes += next.bytes
      next.previous = next.previous?.flatMap((r) => victim!.previous!.find((p) => p.id === r.id) ?? [])
    }
    victim!.onDropped?.()
    return true
  }
}

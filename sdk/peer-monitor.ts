// Watches one RTCPeerConnection: polls getStats() every interval and queues a stats frame
// (the report types the pipeline stores, with the `previous` counters its intervals need),
// and queues events for join and leave, ICE and connection state changes, mute and unmute
// of the local tracks (`enabled` and `muted`), device changes and the user's rating. Stops
// by itself when the peer connection is closed (browsers fire no event for pc.close(), so
// each tick checks the state).
import type { CallContext, StatsReport } from '../schemas/frames.ts'
import type { Environment, PeerConnectionLike, TrackLike } from './browser-types.ts'
import { byteLength, encodeBody, type Encoding } from './frame-codec.ts'
import { maxReportBytesPerFrame, maxReportsPerFrame, splitReports } from './report-split.ts'
import { CallmaskSdkError, Emitter, sdkErrorCodes, type PollCost } from './sdk-events.ts'
import type { SessionTransport } from './session-transport.ts'
import { intervalSnapshot, selectReports } from './stats-frame.ts'

export interface MonitorEvents {
  poll: PollCost
  error: CallmaskSdkError
  stopped: void
}

type EventName = 'join' | 'leave' | 'mute' | 'unmute' | 'ice-state' | 'connection-state' | 'device-change' | 'feedback'

interface WatchedTrack {
  track: TrackLike
  muted: boolean
  listener: () => void
}

export class PeerMonitor {
  readonly events = new Emitter<MonitorEvents>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private stopped = false
  /** Per report id, the trimmed report last queued: the next frame's `previous`. */
  private lastSnapshot = new Map<string, StatsReport>()
  private tracks = new Map<string, WatchedTrack>()
  private readonly unlisten: (() => void)[] = []

  constructor(
    private readonly pc: PeerConnectionLike,
    readonly call: CallContext,
    private readonly transport: SessionTransport,
    private readonly environment: Environment,
    private readonly intervalMs: number,
    private readonly encoding: Encoding,
  ) {
    this.sendEvent('join')
    this.sendEvent('ice-state', pc.iceConnectionState)
    this.sendEvent('connection-state', pc.connectionState)
    this.listen('iceconnectionstatechange', () => this.sendEvent('ice-state', pc.iceConnectionState))
    this.listen('connectionstatechange', () => {
      this.sendEvent('connection-state', pc.connectionState)
      if (pc.connectionState === 'closed') this.stop()
    })
    this.watchTracks()
    this.timer = setTimeout(() => void this.poll(), 0)
  }

  get active(): boolean {
    return !this.stopped
  }

  /** The user's rating of the call, an integer 1-5 (sent as a `feedback` event). */
  rate(score: number): void {
    if (!Number.isInteger(score) || score < 1 || score > 5) {
      this.events.emit('error', new CallmaskSdkError(sdkErrorCodes.invalidUse, 'a rating is an integer from 1 to 5; nothing was sent'))
      return
    }
    this.sendEvent('feedback', score)
  }

  /** The page's media devices changed (navigator.mediaDevices `devicechange`). */
  deviceChanged(): void {
    this.sendEvent('device-change')
  }

  /** Stops polling and sends `leave`; the app calls it, or the SDK when the pc closes. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    clearTimeout(this.timer)
    for (const unlisten of this.unlisten.splice(0)) unlisten()
    for (const watched of this.tracks.values()) this.unwatch(watched)
    this.sendEvent('leave')
    this.events.emit('stopped', undefined)
  }

  private listen(type: string, listener: () => void): void {
    this.pc.addEventListener(type, listener)
    this.unlisten.push(() => this.pc.removeEventListener(type, listener))
  }

  private sendEvent(name: EventName, value?: string | number): void {
    const frame = value === undefined ? { type: 'event', ts: this.environment.now(), call: this.call, name } : { type: 'event', ts: this.environment.now(), call: this.call, name, value }
    const body = encodeBody(frame, this.encoding)
    this.transport.enqueue({ kind: 'event', body, bytes: byteLength(body) })
  }

  // Local tracks: `muted` changes fire events, `enabled` does not, so each tick also compares
  // it; a track replaced by replaceTrack() is picked up at the next tick.
  private watchTracks(): void {
    const current = new Set<string>()
    for (const sender of this.pc.getSenders()) {
      const track = sender.track
      if (!track) continue
      current.add(track.id)
      const watched = this.tracks.get(track.id)
      if (watched) {
        this.checkMuted(watched)
        continue
      }
      const entry: WatchedTrack = { track, muted: !track.enabled || track.muted, listener: () => this.checkMuted(entry) }
      track.addEventListener('mute', entry.listener)
      track.addEventListener('unmute', entry.listener)
      this.tracks.set(track.id, entry)
    }
    for (const [id, watched] of this.tracks) if (!current.has(id)) this.unwatch(watched)
  }

  private unwatch(watched: WatchedTrack): void {
    watched.track.removeEventListener('mute', watched.listener)
    watched.track.removeEventListener('unmute', watched.listener)
    this.tracks.delete(watched.track.id)
  }

  private checkMuted(watched: WatchedTrack): void {
    const muted = !watched.track.enabled || watched.track.muted
    if (muted === watched.muted || this.stopped) return
    watched.muted = muted
    this.sendEvent(muted ? 'mute' : 'unmute', watched.track.kind)
  }

  private schedule(): void {
    if (!this.stopped) this.timer = setTimeout(() => void this.poll(), this.intervalMs)
  }

  private async poll(): Promise<void> {
    if (this.stopped) return
    if (this.transport.stopped || this.pc.signalingState === 'closed' || this.pc.connectionState === 'closed') {
      this.stop()
      return
    }
    this.watchTracks()
    const started = this.environment.monotonic()
    let raw: Awaited<ReturnType<PeerConnectionLike['getStats']>>
    try {
      raw = await this.pc.getStats()
    } catch (error) {
      if (this.pc.signalingState === 'closed') return this.stop()
      this.events.emit('error', new CallmaskSdkError(sdkErrorCodes.statsFailed, `getStats() failed: ${(error as Error).message}`))
      return this.schedule()
    }
    if (this.stopped) return
    const resolved = this.environment.monotonic()
    try {
      const cost = this.queueSnapshot(raw, this.environment.now())
      if (cost && this.events.has('poll')) this.events.emit('poll', { ...cost, getStatsMs: resolved - started, encodeMs: this.environment.monotonic() - resolved })
    } catch (error) {
      this.events.emit('error', new CallmaskSdkError(sdkErrorCodes.statsFailed, `a snapshot could not be encoded: ${(error as Error).message}`))
    }
    this.schedule()
  }

  /** Queues the snapshot as one frame (more if it is too large for one). */
  private queueSnapshot(raw: Awaited<ReturnType<PeerConnectionLike['getStats']>>, ts: number): Omit<PollCost, 'getStatsMs' | 'encodeMs'> | undefined {
    const reports = selectReports(raw)
    // Without an RTP stream or a candidate pair the pipeline stores nothing (the rest is
    // joined to those): such a snapshot, early in a call, is not sent.
    if (!reports.some((r) => r.type === 'candidate-pair' || r.type.endsWith('-rtp'))) return undefined
    let frames = this.buildFrames([reports], ts)
    if (reports.length > maxReportsPerFrame || frames.some((f) => f.bytes > maxReportBytesPerFrame)) {
      for (const frame of frames) this.rewind(frame.trimmed, frame.previous)
      frames = this.buildFrames(splitReports(reports), ts)
    }
    let bytes = 0
    for (const frame of frames) {
      bytes += frame.bytes
      const { trimmed, previous } = frame
      this.transport.enqueue({ kind: 'stats', body: frame.body, bytes: frame.bytes, stream: this.call.peerConnectionId, previous, onDropped: () => this.rewind(trimmed, previous) })
    }
    return { peerConnectionId: this.call.peerConnectionId, bytes, reports: reports.length }
  }

  private buildFrames(chunks: StatsReport[][], ts: number) {
    return chunks.map((chunk) => {
      // Each report's own predecessor, so a snapshot split over two frames still gets its
      // intervals; [] on the first frame (the server then knows this SDK sends them).
      const trimmed = intervalSnapshot(chunk)
      const previous = trimmed.flatMap((report) => this.lastSnapshot.get(report.id) ?? [])
      for (const report of trimmed) this.lastSnapshot.set(report.id, report)
      const body = encodeBody({ type: 'stats', ts, call: this.call, reports: chunk, previous }, this.encoding)
      return { body, bytes: byteLength(body), trimmed, previous }
    })
  }

  // A frame was dropped (or rebuilt): where the next frame would measure from its snapshot,
  // it measures from the one before instead.
  private rewind(trimmed: readonly StatsReport[], previous: readonly StatsReport[]): void {
    for (const report of trimmed) {
      if (this.lastSnapshot.get(report.id) !== report) continue
      const before = previous.find((p) => p.id === report.id)
      if (before) this.lastSnapshot.set(report.id, before)
      else this.lastSnapshot.delete(report.id)
    }
  }
}

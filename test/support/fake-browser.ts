// Stand-ins for the browser objects the SDK touches, for the Node tests: a peer connection
// that replays recorded getStats() snapshots (Chromium captures, rtcstats dumps of Firefox
// and Safari), local tracks whose `enabled`/`muted` a test flips, a socket the test answers
// by hand, and an environment wiring them (or the `ws` package's real WebSocket) in.
import { randomBytes } from 'node:crypto'
import WebSocket from 'ws'
import type { Environment, PeerConnectionLike, SocketClose, SocketLike, SocketMessage, TrackLike } from '../../sdk/browser-types.ts'

export class FakeTrack extends EventTarget implements TrackLike {
  enabled = true
  muted = false
  constructor(readonly kind: string, readonly id: string) {
    super()
  }
  setMuted(muted: boolean): void {
    this.muted = muted
    this.dispatchEvent(new Event(muted ? 'mute' : 'unmute'))
  }
}

/** Replays `snapshots` in order (the last one again when they run out). */
export class ReplayingPeerConnection extends EventTarget implements PeerConnectionLike {
  connectionState = 'new'
  iceConnectionState = 'new'
  signalingState = 'stable'
  polls = 0
  readonly tracks: FakeTrack[] = [new FakeTrack('audio', 'mic-1'), new FakeTrack('video', 'cam-1')]
  constructor(private readonly snapshots: Map<string, Record<string, unknown>>[]) {
    super()
  }
  get exhausted(): boolean {
    return this.polls >= this.snapshots.length
  }
  async getStats(): Promise<Map<string, Record<string, unknown>>> {
    if (this.signalingState === 'closed') throw new Error('InvalidStateError: closed')
    const snapshot = this.snapshots[Math.min(this.polls, this.snapshots.length - 1)]!
    this.polls += 1
    return snapshot
  }
  getSenders() {
    return this.tracks.map((track) => ({ track }))
  }
  setState(connection: string, ice: string): void {
    this.connectionState = connection
    this.dispatchEvent(new Event('connectionstatechange'))
    this.iceConnectionState = ice
    this.dispatchEvent(new Event('iceconnectionstatechange'))
  }
  /** As the browser's: states become closed, and no event fires. */
  close(): void {
    this.signalingState = 'closed'
    this.connectionState = 'closed'
  }
}

/** A socket the test drives: it sees what the SDK sent and answers with acks and closes. */
export class ManualSocket implements SocketLike {
  readyState = 0
  binaryType = 'blob'
  onopen: ((event: unknown) => void) | null = null
  onmessage: ((event: SocketMessage) => void) | null = null
  onclose: ((event: SocketClose) => void) | null = null
  onerror: ((event: unknown) => void) | null = null
  readonly sent: (Uint8Array | string)[] = []
  constructor(readonly url: string, readonly protocol: string) {}
  send(data: Uint8Array | string): void {
    if (this.readyState !== 1) throw new Error('not open')
    this.sent.push(data)
  }
  close(code = 1000): void {
    if (this.readyState === 3) return
    this.readyState = 3
    this.onclose?.({ code })
  }
  accept(): void {
    this.readyState = 1
    this.onopen?.({})
  }
  reply(frame: object): void {
    this.onmessage?.({ data: JSON.stringify(frame) })
  }
  /** The server side goes away. */
  drop(code = 1006): void {
    this.close(code)
  }
}

export function manualEnvironment(): { environment: Environment; sockets: ManualSocket[]; hidePage: () => void; changeDevices: () => void } {
  const sockets: ManualSocket[] = []
  const hide = new Set<() => void>()
  const devices = new Set<() => void>()
  return {
    sockets,
    hidePage: () => hide.forEach((f) => f()),
    changeDevices: () => devices.forEach((f) => f()),
    environment: {
      createSocket(url, protocol) {
        const socket = new ManualSocket(url, protocol)
        sockets.push(socket)
        return socket
      },
      now: () => Date.now(),
      monotonic: () => performance.now(),
      randomBytes: (n) => new Uint8Array(randomBytes(n)),
      onPageHide: (f) => (hide.add(f), () => hide.delete(f)),
      onDeviceChange: (f) => (devices.add(f), () => devices.delete(f)),
    },
  }
}

/** The `ws` package's WebSocket: the same WHATWG surface as a browser's. */
export const nodeEnvironment: Environment = {
  createSocket: (url, protocol) => new WebSocket(url, protocol) as unknown as SocketLike,
  now: () => Date.now(),
  monotonic: () => performance.now(),
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
}

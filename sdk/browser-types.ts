// The few browser objects the SDK touches, typed structurally: the project compiles without
// the DOM library, and the Node tests pass fakes (a replaying RTCPeerConnection, the `ws`
// package's WebSocket) that have exactly these members.

export interface EventSourceLike {
  addEventListener(type: string, listener: (event: unknown) => void): void
  removeEventListener(type: string, listener: (event: unknown) => void): void
}

export interface TrackLike extends EventSourceLike {
  readonly kind: string
  readonly id: string
  enabled: boolean
  readonly muted: boolean
}

/** What `monitor()` needs of an RTCPeerConnection. */
export interface PeerConnectionLike extends EventSourceLike {
  getStats(): Promise<Map<string, Record<string, unknown>> | Iterable<Record<string, unknown>>>
  readonly connectionState: string
  readonly iceConnectionState: string
  readonly signalingState: string
  getSenders(): readonly { readonly track: TrackLike | null }[]
}

export interface SocketMessage {
  data: unknown
}

export interface SocketClose {
  code: number
  reason?: string
}

/** The WHATWG WebSocket surface the transport uses (browsers, Node 22's global, `ws`). */
export interface SocketLike {
  readonly readyState: number
  readonly protocol: string
  binaryType: string
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: SocketMessage) => void) | null
  onclose: ((event: SocketClose) => void) | null
  onerror: ((event: unknown) => void) | null
  send(data: Uint8Array | string): void
  close(code?: number, reason?: string): void
}

export type SocketFactory = (url: string, protocol: string) => SocketLike

/** WebSocket.OPEN. */
export const socketOpen = 1

/**
 * What the SDK takes from its surroundings: the browser's globals by default, fakes in tests.
 * `page` gets the unload and devicechange listeners (window and navigator.mediaDevices).
 */
export interface Environment {
  createSocket: SocketFactory
  now(): number
  /** A monotonic clock in ms, for the cost measurements (performance.now). */
  monotonic(): number
  randomBytes(length: number): Uint8Array
  onPageHide?(listener: () => void): () => void
  onDeviceChange?(listener: () => void): () => void
}

interface BrowserGlobals {
  WebSocket?: new (url: string, protocol: string) => SocketLike
  performance?: { now(): number }
  crypto?: { getRandomValues(bytes: Uint8Array): Uint8Array }
  addEventListener?: (type: string, listener: () => void) => void
  removeEventListener?: (type: string, listener: () => void) => void
  navigator?: { mediaDevices?: EventSourceLike }
}

/** The environment of a browser page (or any runtime with the same globals). */
export function browserEnvironment(): Environment {
  const g = globalThis as unknown as BrowserGlobals
  return {
    createSocket(url, protocol) {
      if (!g.WebSocket) throw new Error('this runtime has no WebSocket; pass environment.createSocket')
      return new g.WebSocket(url, protocol)
    },
    now: () => Date.now(),
    monotonic: () => (g.performance ? g.performance.now() : Date.now()),
    randomBytes(length) {
      const bytes = new Uint8Array(length)
      g.crypto!.getRandomValues(bytes)
      return bytes
    },
    onPageHide: g.addEventListener
      ? (listener) => {
          g.addEventListener!('pagehide', listener)
          return () => g.removeEventListener?.('pagehide', listener)
        }
      : undefined,
    onDeviceChange: g.navigator?.mediaDevices
      ? (listener) => {
          const devices = g.navigator!.mediaDevices!
          devices.addEventListener('devicechange', listener)
          return () => devices.removeEventListener('devicechange', listener)
        }
      : undefined,
  }
}

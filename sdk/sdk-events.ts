// What the browser SDK tells the app: typed errors and connection states, delivered to
// listeners and never thrown into the app's call code. A listener that throws is ignored
// (the SDK must not break because an app's handler did).

/** Stable codes of the errors the SDK reports (README "Browser SDK" lists them; a test checks). */
export const sdkErrorCodes = {
  /** The server refused the ingest key or the page's origin (close 4003). Fatal: the SDK stops. */
  badKey: 'CALLMASK_SDK_BAD_KEY',
  /** Another connection took over this session (close 4009). Fatal: the SDK stops. */
  sessionReplaced: 'CALLMASK_SDK_SESSION_REPLACED',
  /** The server did not accept the hello (close 4001): a wrong client or configuration. Fatal. */
  helloRefused: 'CALLMASK_SDK_HELLO_REFUSED',
  /** The server rate-limited this session; the frames are resent later. */
  rateLimited: 'CALLMASK_SDK_RATE_LIMITED',
  /** The offline buffer is full: the oldest stats samples are being dropped (never events). */
  bufferDropping: 'CALLMASK_SDK_BUFFER_DROPPING',
  /** The server refused a frame for good (schema, malformed, too large); it is not resent. */
  frameRefused: 'CALLMASK_SDK_FRAME_REFUSED',
  /** The connection is down; the SDK reconnects with backoff and keeps what it has not sent. */
  disconnected: 'CALLMASK_SDK_DISCONNECTED',
  /** getStats() failed or a snapshot could not be encoded; the next interval tries again. */
  statsFailed: 'CALLMASK_SDK_STATS_FAILED',
  /** The app called the SDK wrongly (e.g. a rating outside 1-5); nothing was sent. */
  invalidUse: 'CALLMASK_SDK_INVALID_USE',
} as const
export type SdkErrorCode = (typeof sdkErrorCodes)[keyof typeof sdkErrorCodes]

export class CallmaskSdkError extends Error {
  override name = 'CallmaskSdkError'
  constructor(
    readonly code: SdkErrorCode,
    message: string,
    /** The server's wire code (CALLMASK_ERR_...) when the server sent one. */
    readonly wireCode?: string,
    /** For bufferDropping: samples dropped so far in this session. */
    readonly dropped?: number,
  ) {
    super(message)
  }
}

/**
 * connecting: opening the socket / waiting for the hello's ack; open: frames flow;
 * reconnecting: the socket is down and a retry is scheduled; failed: stopped for good after
 * a fatal refusal; closed: close() finished.
 */
export type TransportState = 'connecting' | 'open' | 'reconnecting' | 'failed' | 'closed'

/** Cost of one poll of one peer connection (the browser test reports these). */
export interface PollCost {
  peerConnectionId: string
  /** getStats() from call to resolve, ms (wall time: the browser works partly off the main thread). */
  getStatsMs: number
  /** Selecting, trimming and encoding the snapshot on the main thread, ms. */
  encodeMs: number
  bytes: number
  reports: number
}

export interface SdkEventMap {
  error: CallmaskSdkError
  state: TransportState
  ack: number
  poll: PollCost
}

export type Listener<T> = (value: T) => void

export class Emitter<Events extends object> {
  private listeners = new Map<keyof Events, Set<Listener<never>>>()

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(type: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(type)
    if (!set) this.listeners.set(type, (set = new Set()))
    set.add(listener as Listener<never>)
    return () => set.delete(listener as Listener<never>)
  }

  has(type: keyof Events): boolean {
    return (this.listeners.get(type)?.size ?? 0) > 0
  }

  emit<K extends keyof Events>(type: K, value: Events[K]): void {
    for (const listener of this.listeners.get(type) ?? []) {
      try {
        ;(listener as Listener<Events[K]>)(value)
      } catch {
        // The app's handler failed; telemetry goes on.
      }
    }
  }
}

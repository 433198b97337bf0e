// The uWebSockets.js package silently falls back to a pure-JS shim when its native binary
// does not load (wrong Node ABI or glibc). Only the native module exports SSLApp. The shim
// is not merely slow: it throws "not implemented" for a custom upgrade handler, which would
// kill ingest on its first WebSocket request, so startIngest refuses to run on it.
import uws from 'uWebSockets.js'

export const uwsIsNative: boolean = typeof (uws as unknown as Record<string, unknown>)['SSLApp'] === 'function'

/** LIBUS_LISTEN_EXCLUSIVE_PORT: listen without SO_REUSEPORT. */
export const exclusivePort = 1

export { uws }

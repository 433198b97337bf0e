// The uWebSockets.js package silently falls back to a slow pure-JS shim when its native
// binary does not load (wrong Node ABI or glibc). Only the native module exports SSLApp.
import uws from 'uWebSockets.js'

export const uwsIsNative: boolean = typeof (uws as unknown as Record<string, unknown>)['SSLApp'] === 'function'
export { uws }

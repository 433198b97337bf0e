// How a client frame travels through JetStream: the payload exactly as the client sent
// it, and these headers saying whose it is. Shared by ingest (writes) and processor (reads).
export const envelopeHeaders = {
  tenant: 'Callmask-Tenant',
  session: 'Callmask-Session',
  seq: 'Callmask-Seq',
  encoding: 'Callmask-Encoding',
  receivedAt: 'Callmask-Received-At',
} as const

/** How far a frame's `ts` may lie from the server's clock: late delivery after an outage is fine, the future is not. */
export const frameTimeWindow = { pastMs: 7 * 24 * 3600 * 1000, futureMs: 24 * 3600 * 1000 } as const

/** A frame time outside the window would break retention (TTL) or expire at once after its ack. */
export function frameTimeProblem(ts: number, receivedAt: number): string | undefined {
  // Seconds since the epoch (a common SDK mistake) would otherwise read as "long ago".
  if (ts > 0 && Math.abs(ts * 1000 - receivedAt) <= frameTimeWindow.pastMs) return '/ts looks like seconds since the epoch: send milliseconds'
  if (ts < receivedAt - frameTimeWindow.pastMs) return '/ts is more than 7 days before the server clock'
  if (ts > receivedAt + frameTimeWindow.futureMs) return '/ts is more than 1 day after the server clock'
  return undefined
}

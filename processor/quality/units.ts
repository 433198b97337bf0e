// Durations in the quality model are seconds, the unit WebRTC's getStats reports
// (roundTripTime, jitter, jitterBufferDelay, totalFreezesDuration). A branded number makes
// the unit part of the type: a bare number, say a millisecond value from a dashboard, does
// not type-check where Seconds is expected; it has to pass through seconds() or
// fromMilliseconds(), which says at the call site which unit it is.
declare const secondsBrand: unique symbol

export type Seconds = number & { readonly [secondsBrand]: 'seconds' }

/** A value already in seconds, as getStats reports it. */
export function seconds(value: number): Seconds {
  return value as Seconds
}

export function fromMilliseconds(milliseconds: number): Seconds {
  return (milliseconds / 1000) as Seconds
}

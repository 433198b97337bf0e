// The counters a stats frame's `previous` carries: what the processor needs of the snapshot
// before this one to compute the interval between them (processor/quality/stream-interval.ts).
// Part of the wire protocol, so SDKs in any language send the same set.

/**
 * Only ever grow while a stream's counters run; one going down means the counters restarted.
 * `packetsLost` is not among them: it may legitimately fall (late packets are subtracted again).
 */
export const monotonicCounters = [
  'packetsReceived',
  'packetsSent',
  'bytesReceived',
  'bytesSent',
  'jitterBufferDelay',
  'jitterBufferEmittedCount',
  'concealedSamples',
  'silentConcealedSamples',
  'totalSamplesReceived',
  'framesDecoded',
  'framesEncoded',
  'freezeCount',
  'totalFreezesDuration',
  'totalPausesDuration',
  'totalRoundTripTime',
  'roundTripTimeMeasurements',
  'responsesReceived',
] as const

/** Every field of a report an interval reads, besides `id`, `type` and `timestamp`. */
export const intervalInputFields: readonly string[] = [...monotonicCounters, 'packetsLost', 'qualityLimitationDurations']

/** Report types that have intervals. */
export const intervalReportTypes: ReadonlySet<string> = new Set(['inbound-rtp', 'outbound-rtp', 'remote-inbound-rtp', 'candidate-pair'])

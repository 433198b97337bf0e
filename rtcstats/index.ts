// rtcstats import: reads the JSON-lines dumps of rtcstats-server (jitsi's fork and the
// original) and replays them through the ingest as SDK sessions. See docs/rtcstats-import.md.
export { RtcstatsDumpError, RtcstatsLineError, lineProblems } from './dump-errors.ts'
export { decodeDump, newDecodeReport, openDumpFile, readDump, peerConnectionEvents } from './dump-decoder.ts'
export type { DecodeReport, DecodedDump, DumpItem, PeerConnectionEvent, PeerConnectionTrace, StatsSnapshot } from './dump-decoder.ts'
export type { DumpIdentity } from './dump-identity.ts'
export { callContextFor, eventFrameOf, statsFramesOf } from './dump-frames.ts'
export { importRtcstatsDump, RtcstatsImportError, summaryLines } from './dump-replay.ts'
export type { ImportOptions, ImportSummary } from './dump-replay.ts'
export { undeltaStats } from './stats-undelta.ts'
export type { RtcReport } from './stats-undelta.ts'

// Reads an rtcstats dump line by line (a stream, so a dump of any size runs in the memory of
// one getStats() result per peer connection) and yields, in the dump's order, the full
// getStats() snapshots of each peer connection, its state changes, and what the identity
// lines say. A bad line is counted and reported with its number, and the rest is read on.
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { lineProblems, RtcstatsDumpError, RtcstatsLineError } from './dump-errors.ts'
import { mergeIdentity, type DumpIdentity } from './dump-identity.ts'
import { parseDumpLine, type DumpLayout } from './dump-line.ts'
import { undeltaStats, type RtcReport } from './stats-undelta.ts'

export interface StatsSnapshot {
  kind: 'snapshot'
  pcId: string
  line: number
  /** Epoch ms when getStats() resolved. */
  ts: number
  /** Report id -> the full report, `timestamp` included. */
  reports: Map<string, RtcReport>
}

export const peerConnectionEvents = {
  create: 'create',
  close: 'close',
  oniceconnectionstatechange: 'ice-connection-state',
  onconnectionstatechange: 'connection-state',
  ondtlsstatechange: 'dtls-state',
  onicegatheringstatechange: 'ice-gathering-state',
  onsignalingstatechange: 'signaling-state',
} as const
export type PeerConnectionEventName = (typeof peerConnectionEvents)[keyof typeof peerConnectionEvents]

export interface PeerConnectionEvent {
  kind: 'event'
  pcId: string
  line: number
  ts: number
  name: PeerConnectionEventName
  /** The new state, for the state changes. */
  state?: string
}

export interface IdentityUpdate {
  kind: 'identity'
  line: number
  identity: DumpIdentity
}

export type DumpItem = StatsSnapshot | PeerConnectionEvent | IdentityUpdate

/** What a decode saw; filled in as it goes, complete when the iteration ends. */
export interface DecodeReport {
  layout: DumpLayout
  lines: number
  skippedLines: number
  /** The first few skipped lines, each with its number and the problem (never the content). */
  errors: RtcstatsLineError[]
  snapshots: number
  events: number
  /** Lines of other methods (SDP, getUserMedia, ICE candidates, logs): read and not used. */
  otherLines: number
}

export const newDecodeReport = (): DecodeReport => ({ layout: 'jitsi', lines: 0, skippedLines: 0, errors: [], snapshots: 0, events: 0, otherLines: 0 })

const keptErrors = 20
/** This many bad lines before the first good one: it is not an rtcstats dump. */
const linesToRecognise = 50
const stateMethods = new Set(['oniceconnectionstatechange', 'onconnectionstatechange', 'ondtlsstatechange', 'onicegatheringstatechange', 'onsignalingstatechange'])

/** Opens a dump file (gunzipped if its name ends with .gz) as a stream. */
export function openDumpFile(path: string): Readable {
  const file = createReadStream(path)
  if (!path.endsWith('.gz')) return file
  const gunzip = createGunzip()
  file.on('error', (error) => gunzip.destroy(error))
  return file.pipe(gunzip)
}

export async function* decodeDump(input: Readable, report: DecodeReport = newDecodeReport()): AsyncGenerator<DumpItem> {
  const lines = createInterface({ input, crlfDelay: Infinity })
  const bases = new Map<string, Map<string, RtcReport>>()
  let identity: DumpIdentity = {}
  let goodLines = 0
  let lastTime = 0
  let expectMetadata = false
  const skip = (error: RtcstatsLineError) => {
    report.skippedLines += 1
    if (report.errors.length < keptErrors) report.errors.push(error)
    if (goodLines === 0 && report.skippedLines >= linesToRecognise) {
      throw new RtcstatsDumpError(`this is not an rtcstats dump: none of its first ${linesToRecognise} lines is a JSON array [method, pcId, payload, timestamp]`)
    }
  }
  for await (const raw of lines) {
    report.lines += 1
    const lineNo = report.lines
    const text = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw
    if (text.trim() === '') continue
    // File format 3: a header line, then a metadata object.
    if (lineNo === 1 && text.trim() === 'RTCStatsDump') {
      report.layout = 'rtcstats-v3'
      expectMetadata = true
      continue
    }
    if (expectMetadata) {
      expectMetadata = false
      try {
        identity = mergeIdentity(identity, 'connectionInfo', JSON.parse(text))
        goodLines += 1
        yield { kind: 'identity', line: lineNo, identity }
      } catch {
        skip(new RtcstatsLineError(lineNo, lineProblems.notJson))
      }
      continue
    }
    try {
      const line = parseDumpLine(text, lineNo, report.layout)
      goodLines += 1
      // Format 3 times are relative to the previous line's.
      let time = line.rawTime
      if (report.layout === 'rtcstats-v3' && time !== undefined) time = lastTime += time
      if (line.method === 'identity' || line.method === 'connectionInfo') {
        identity = mergeIdentity(identity, line.method, line.payload)
        yield { kind: 'identity', line: lineNo, identity }
        continue
      }
      if (line.method === 'getstats') {
        if (line.pcId === null) throw new RtcstatsLineError(lineNo, lineProblems.statsWithoutPeerConnection)
        const { reports, ts } = undeltaStats(bases.get(line.pcId), line.payload, time, lineNo, report.layout)
        if (!(ts > 0)) throw new RtcstatsLineError(lineNo, lineProblems.badTimestamp)
        bases.set(line.pcId, reports)
        report.snapshots += 1
        yield { kind: 'snapshot', pcId: line.pcId, line: lineNo, ts, reports }
        continue
      }
      // Own keys only: a method named `constructor` or `__proto__` is no event.
      const name = Object.hasOwn(peerConnectionEvents, line.method) ? peerConnectionEvents[line.method as keyof typeof peerConnectionEvents] : undefined
      if (name === undefined || line.pcId === null) {
        report.otherLines += 1
        continue
      }
      if (time === undefined) throw new RtcstatsLineError(lineNo, lineProblems.badTimestamp)
      // A new peer connection under a used id starts its delta compression afresh.
      if (name === 'create') bases.delete(line.pcId)
      const event: PeerConnectionEvent = { kind: 'event', pcId: line.pcId, line: lineNo, ts: time, name }
      if (stateMethods.has(line.method)) {
        if (typeof line.payload !== 'string' || line.payload.length === 0 || line.payload.length > 64) throw new RtcstatsLineError(lineNo, lineProblems.badState)
        event.state = line.payload
      }
      report.events += 1
      yield event
    } catch (error) {
      if (!(error instanceof RtcstatsLineError)) throw error
      skip(error)
    }
  }
  if (goodLines === 0) {
    throw new RtcstatsDumpError(report.lines === 0 ? 'the dump is empty' : 'this is not an rtcstats dump: none of its lines is a JSON array [method, pcId, payload, timestamp]')
  }
}

export interface PeerConnectionTrace {
  pcId: string
  snapshots: StatsSnapshot[]
  events: PeerConnectionEvent[]
}

export interface DecodedDump {
  identity: DumpIdentity
  /** In order of first appearance. */
  peerConnections: Map<string, PeerConnectionTrace>
  report: DecodeReport
}

/** Decodes a whole dump into memory, grouped by peer connection (for tests and small dumps). */
export async function readDump(input: Readable): Promise<DecodedDump> {
  const report = newDecodeReport()
  const peerConnections = new Map<string, PeerConnectionTrace>()
  let identity: DumpIdentity = {}
  for await (const item of decodeDump(input, report)) {
    if (item.kind === 'identity') {
      identity = item.identity
      continue
    }
    let trace = peerConnections.get(item.pcId)
    if (!trace) peerConnections.set(item.pcId, (trace = { pcId: item.pcId, snapshots: [], events: [] }))
    if (item.kind === 'snapshot') trace.snapshots.push(item)
    else trace.events.push(item)
  }
  return { identity, peerConnections, report }
}

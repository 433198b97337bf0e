// One line of an rtcstats dump: `[method, pcId, payload, timestamp, ...]`.
//
// Two layouts exist. jitsi's rtcstats-server (and fippo's original) write one JSON array per
// line with an absolute epoch-ms timestamp in the fourth place (some lines carry a sequence
// number after it, a few carry no timestamp at all); see jitsi/rtcstats `trace-ws.js`
// (setTransportParams pushes `Date.now()` then the sequence number) and jitsi/rtcstats-server
// `src/demux.js`. File format 3 of rtcstats/rtcstats starts with a line `RTCStatsDump` and a
// metadata object, and its last element is the time relative to the previous line
// (rtcstats/rtcstats `packages/rtcstats-server/docs/file-format.md`); it may shorten method
// names to numbers (`packages/rtcstats-shared/compression.js`, methodTable): the ids this
// importer uses are decoded here.
import { lineProblems, RtcstatsLineError } from './dump-errors.ts'

export type DumpLayout = 'jitsi' | 'rtcstats-v3'

export interface DumpLine {
  line: number
  method: string
  pcId: string | null
  payload: unknown
  /** The line's time as written: absolute ms (jitsi) or ms since the previous line (v3); undefined if absent. */
  rawTime: number | undefined
}

/** Longest line read (a getstats line of a large call is a few hundred KB). */
export const maxLineChars = 16 * 1024 * 1024

// rtcstats/rtcstats compression.js methodTable: the compressed ids of the methods used here.
const compressedMethods: Record<string, string> = {
  g: 'getstats',
  '1': 'getstats',
  '23': 'onsignalingstatechange',
  '24': 'oniceconnectionstatechange',
  '25': 'onconnectionstatechange',
  '26': 'onicegatheringstatechange',
  '36': 'close',
  '39': 'create',
}

function methodName(value: unknown, layout: DumpLayout): string | undefined {
  if (layout === 'rtcstats-v3' && (typeof value === 'number' || typeof value === 'string')) {
    const id = String(value)
    if (Object.hasOwn(compressedMethods, id)) return compressedMethods[id]
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > 128) return undefined
  // v3 spells it getStats; jitsi's dumps getstats.
  return value === 'getStats' ? 'getstats' : value
}

export function parseDumpLine(text: string, line: number, layout: DumpLayout): DumpLine {
  if (text.length > maxLineChars) throw new RtcstatsLineError(line, lineProblems.tooLong)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new RtcstatsLineError(line, lineProblems.notJson)
  }
  if (!Array.isArray(parsed) || parsed.length < 3) throw new RtcstatsLineError(line, lineProblems.notArray)
  const method = methodName(parsed[0], layout)
  if (method === undefined) throw new RtcstatsLineError(line, lineProblems.badMethod)
  const pc: unknown = parsed[1]
  if (pc !== null && pc !== undefined && (typeof pc !== 'string' || pc.length === 0 || pc.length > 128)) {
    throw new RtcstatsLineError(line, lineProblems.badPeerConnection)
  }
  const timeValue: unknown = layout === 'rtcstats-v3' ? parsed[parsed.length - 1] : parsed[3]
  const rawTime = parsed.length > 3 && typeof timeValue === 'number' && Number.isFinite(timeValue) ? timeValue : undefined
  if (parsed.length > 3 && rawTime === undefined) throw new RtcstatsLineError(line, lineProblems.badTimestamp)
  return { line, method, pcId: typeof pc === 'string' ? pc : null, payload: parsed[2], rawTime }
}

// Replays an rtcstats dump through a running ingest, one session per peer connection, with
// the Node SDK client (sdk/callmask-client.ts), as if each peer connection had streamed its
// own statistics. The dump is read twice, as a stream each time: first to learn its identity
// (the meeting id often comes after the first stats), its last time and its size, then to
// send. Times move by one offset so the last snapshot lands at now (the ingest refuses frames
// older than 7 days), or stay as recorded if asked and the ingest's window allows.
import { basename } from 'node:path'
import { CallmaskError } from '../lib/errors.ts'
import { frameTimeWindow } from '../lib/frame-envelope.ts'
import type { CallContext, ErrorFrame } from '../schemas/frames.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { decodeDump, newDecodeReport, openDumpFile, type DecodeReport } from './dump-decoder.ts'
import type { DumpIdentity } from './dump-identity.ts'
import { callContextFor, eventFrameOf, statsFramesOf, type CallOverrides } from './dump-frames.ts'

export class RtcstatsImportError extends CallmaskError {
  override name = 'RtcstatsImportError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('CALLMASK_ERR_RTCSTATS_IMPORT', message, options)
  }
}

export interface ImportOptions {
  file: string
  /** The ingest WebSocket, e.g. ws://127.0.0.1:8080/v1/ws. */
  url: string
  /** An ingest key: it decides the tenant. */
  key: string
  call?: CallOverrides
  /** Send the recorded times instead of ending at now; refused if the ingest would refuse them. @default false */
  keepTimes?: boolean
  now?: number
  encoding?: 'msgpack' | 'json'
  /** Frames per second per session after the first 500, below the ingest's default limit of 20. @default 15 */
  framesPerSecond?: number
  /** How long to wait for the last acknowledgements. @default 60000 */
  settleTimeoutMs?: number
  /** Progress lines (never personal data). */
  progress?: (line: string) => void
}

export interface SessionSummary {
  pcId: string
  sessionId: string
  statsFrames: number
  eventFrames: number
}

export interface ImportSummary {
  file: string
  browser: DumpIdentity['browser']
  decode: DecodeReport
  sessions: SessionSummary[]
  statsFrames: number
  eventFrames: number
  framesSent: number
  acknowledged: number
  refused: { code: string; frames: number; example: string }[]
  /** Snapshots with no report type the SDK sends (legacy Chrome `goog*` stats). */
  snapshotsWithoutReports: number
  offsetMs: number
}

interface DumpScan {
  identity: DumpIdentity
  firstTs: number
  lastTs: number
}

async function scanDump(file: string): Promise<DumpScan> {
  let identity: DumpIdentity = {}
  let firstTs = Infinity
  let lastTs = -Infinity
  for await (const item of decodeDump(openDumpFile(file))) {
    if (item.kind === 'identity') identity = item.identity
    else {
      firstTs = Math.min(firstTs, item.ts)
      lastTs = Math.max(lastTs, item.ts)
    }
  }
  if (!Number.isFinite(lastTs)) throw new RtcstatsImportError('the dump has no getstats line and no peer connection event: there is nothing to import')
  return { identity, firstTs, lastTs }
}

function replayOffset(scan: DumpScan, now: number, keepTimes: boolean): number {
  if (!keepTimes) return now - scan.lastTs
  // A minute of margin: the frames reach the ingest a little after `now`.
  if (scan.firstTs < now - frameTimeWindow.pastMs + 60_000 || scan.lastTs > now + frameTimeWindow.futureMs) {
    const day = (ts: number) => new Date(ts).toISOString().slice(0, 10)
    throw new RtcstatsImportError(
      `the dump's times (${day(scan.firstTs)} to ${day(scan.lastTs)}) are outside what the ingest accepts (7 days back, 1 day ahead); import it without --keep-times to replay it ending now`,
    )
  }
  return 0
}

const connectionRefusals = new Set(['CALLMASK_ERR_BAD_KEY', 'CALLMASK_ERR_NO_HELLO', 'CALLMASK_ERR_SESSION_REPLACED', 'CALLMASK_ERR_TOO_MANY_SESSIONS'])
const printable = (pcId: string, index: number) => (/^[A-Za-z0-9_.:-]{1,64}$/.test(pcId) ? pcId : `#${index + 1}`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** Frames a session may send at once before the import paces itself (the ingest allows 30 s of burst). */
const burstFrames = 500

interface Session {
  client: CallmaskClient
  call: CallContext
  summary: SessionSummary
  sent: number
  refusedUnread: number
  startedAt: number
}

export async function importRtcstatsDump(options: ImportOptions): Promise<ImportSummary> {
  const progress = options.progress ?? (() => undefined)
  const name = basename(options.file)
  const scan = await scanDump(options.file)
  const offsetMs = replayOffset(scan, options.now ?? Date.now(), options.keepTimes ?? false)
  const rate = options.framesPerSecond ?? 15
  const decode = newDecodeReport()
  const sessions = new Map<string, Session>()
  const refused = new Map<string, { frames: number; example: string }>()
  let refusedConnection: string | undefined
  let snapshotsWithoutReports = 0

  const sessionFor = async (pcId: string): Promise<Session> => {
    const known = sessions.get(pcId)
    if (known) return known
    const onError = (error: ErrorFrame) => {
      if (error.retryable) return // the client resends these itself
      if (connectionRefusals.has(error.code)) refusedConnection ??= `${error.code}: ${error.message}`
      const seen = refused.get(error.code)
      refused.set(error.code, { frames: (seen?.frames ?? 0) + 1, example: seen?.example ?? error.message })
      if (error.seq === undefined) session.refusedUnread += 1
    }
    const client = new CallmaskClient({ url: options.url, key: options.key, encoding: options.encoding, sdk: { name: 'callmask-import-rtcstats', version: '0.1.0' }, onError })
    const session: Session = {
      client,
      call: callContextFor(pcId, scan.identity, options.call),
      summary: { pcId, sessionId: client.sessionId, statsFrames: 0, eventFrames: 0 },
      sent: 0,
      refusedUnread: 0,
      startedAt: Date.now(),
    }
    // Kept before connecting, so a failed connect is closed too (or it would keep retrying).
    sessions.set(pcId, session)
    try {
      await client.connect()
    } catch (error) {
      throw new RtcstatsImportError(`cannot connect to the ingest at ${options.url}: ${(error as Error).message || 'connection failed'}`, { cause: error })
    }
    progress(`  peer connection ${printable(pcId, sessions.size - 1)} -> session ${client.sessionId}`)
    return session
  }

  // The first frame of each session is awaited, so a refused key stops the import at once.
  const sent = async (session: Session, seq: number) => {
    session.sent += 1
    if (session.sent === 1) await settle([session], 30_000)
    else if (session.sent > burstFrames) {
      const due = session.startedAt + ((session.sent - burstFrames) / rate) * 1000
      if (due > Date.now()) await sleep(due - Date.now())
    }
    return seq
  }

  const settle = async (which: Session[], timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs
    const done = () => which.every((s) => s.client.lastAckedSeq + s.refusedUnread >= s.sent)
    while (!done()) {
      if (refusedConnection) throw new RtcstatsImportError(`the ingest refused the connection (${refusedConnection})`)
      if (Date.now() > deadline) throw new RtcstatsImportError(`not every frame was acknowledged or refused within ${timeoutMs / 1000} s`)
      await sleep(25)
    }
    if (refusedConnection) throw new RtcstatsImportError(`the ingest refused the connection (${refusedConnection})`)
  }

  progress(`Importing ${name}: ${scan.identity.browser ?? 'unknown browser'} dump, times ${offsetMs === 0 ? 'as recorded' : 'replayed to end now'}.`)
  let framesSent = 0
  try {
    for await (const item of decodeDump(openDumpFile(options.file), decode)) {
      if (item.kind === 'identity') continue
      if (item.kind === 'snapshot') {
        const frames = statsFramesOf(item, offsetMs)
        if (frames.length === 0) {
          snapshotsWithoutReports += 1
          continue
        }
        const session = await sessionFor(item.pcId)
        for (const frame of frames) {
          await sent(session, await session.client.sendStats(session.call, frame.reports, frame.ts))
          session.summary.statsFrames += 1
          framesSent += 1
        }
      } else {
        const event = eventFrameOf(item, offsetMs)
        if (!event) continue
        const session = await sessionFor(item.pcId)
        await sent(session, await session.client.sendEvent(session.call, event.name, event.value, event.ts))
        session.summary.eventFrames += 1
        framesSent += 1
      }
      if (framesSent > 0 && framesSent % 500 === 0) progress(`  sent ${framesSent} frames (dump line ${item.line})`)
    }
    await settle([...sessions.values()], options.settleTimeoutMs ?? 60_000)
  } finally {
    for (const session of sessions.values()) session.client.close()
  }
  const refusedList = [...refused].map(([code, r]) => ({ code, ...r }))
  const refusedFrames = refusedList.reduce((sum, r) => sum + r.frames, 0)
  const summaries = [...sessions.values()].map((s) => s.summary)
  return {
    file: name,
    browser: scan.identity.browser,
    decode,
    sessions: summaries,
    statsFrames: summaries.reduce((sum, s) => sum + s.statsFrames, 0),
    eventFrames: summaries.reduce((sum, s) => sum + s.eventFrames, 0),
    framesSent,
    acknowledged: framesSent - refusedFrames,
    refused: refusedList,
    snapshotsWithoutReports,
    offsetMs,
  }
}

/** The plain summary the CLI prints. */
export function summaryLines(summary: ImportSummary): string[] {
  const days = Math.round(summary.offsetMs / 86_400_000)
  const lines = [
    `Imported ${summary.file} (${summary.browser ?? 'unknown browser'}): ${summary.sessions.length} session(s), one per peer connection.`,
    `  frames sent:      ${summary.framesSent} (${summary.statsFrames} stats, ${summary.eventFrames} events)`,
    `  acknowledged:     ${summary.acknowledged}`,
    `  refused:          ${summary.framesSent - summary.acknowledged}`,
    `  skipped lines:    ${summary.decode.skippedLines} of ${summary.decode.lines}`,
  ]
  for (const r of summary.refused) lines.push(`    ${r.frames} x ${r.code} (for example: ${r.example})`)
  for (const error of summary.decode.errors) lines.push(`    ${error.message}`)
  if (summary.decode.skippedLines > summary.decode.errors.length) lines.push(`    (and ${summary.decode.skippedLines - summary.decode.errors.length} more)`)
  if (summary.snapshotsWithoutReports > 0) lines.push(`  snapshots without standard reports (legacy Chrome stats, not imported): ${summary.snapshotsWithoutReports}`)
  lines.push(`  times:            ${summary.offsetMs === 0 ? 'as recorded' : `moved by ${days} days so the last snapshot is now`}`)
  return lines
}

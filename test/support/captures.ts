// Loads the browser captures in test/fixtures/webrtc and turns each getStats() sample into
// the call context and reports a client would send, replayed relative to now.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { replayCapture, type Capture } from '../../lib/capture-replay.ts'
import type { CallContext } from '../../schemas/frames.ts'

export type { Capture }

export const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures')

export function loadCapture(name: string): Capture {
  return JSON.parse(readFileSync(join(fixturesDir, 'webrtc', name), 'utf8')) as Capture
}

export const captureNames = (): string[] => readdirSync(join(fixturesDir, 'webrtc')).filter((f) => f.endsWith('.json'))

/** Personal data a customer might put in the call context: the pipeline must never store it raw. */
export const personalContext: Record<string, CallContext> = {
  caller: {
    conferenceId: '+49 176 1234 5678-daily',
    participantId: 'anna.schmidt@example.com',
    peerConnectionId: 'pc-caller-1',
    displayName: 'Anna Schmidt',
  },
  callee: {
    conferenceId: '+49 176 1234 5678-daily',
    participantId: 'user-4711-jan',
    peerConnectionId: 'pc-callee-1',
    displayName: 'Jan-Kees Lantsheer',
  },
}

export const rawPersonalValues = ['anna.schmidt@example.com', 'Anna Schmidt', 'user-4711-jan', 'Jan-Kees Lantsheer', '+49 176 1234 5678', '+4917612345678', '176 1234 5678', '1761234']

export interface CaptureFrame {
  peerId: string
  call: CallContext
  ts: number
  reports: Record<string, unknown>[]
}

/**
 * Every sample of every peer, interleaved by time as two clients would send them, replayed
 * relative to `now` (the last sample at `now`) so the suite does not age with its captures.
 */
export function captureFrames(capture: Capture, now: number = Date.now()): CaptureFrame[] {
  return replayCapture(capture, now).map((sample) => ({
    ...sample,
    call: personalContext[sample.peerId] ?? personalContext['caller']!,
  }))
}

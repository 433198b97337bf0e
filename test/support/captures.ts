// Loads the browser captures in test/fixtures/webrtc and turns each getStats() sample into
// the call context and reports a client would send.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CallContext } from '../../schemas/frames.ts'

export const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures')

export interface Capture {
  capturedAt: string
  peers: { peerId: string; samples: { t: number; reports: Record<string, unknown>[] }[] }[]
}

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

/** Every sample of every peer, interleaved by time as two clients would send them. */
export function captureFrames(capture: Capture): CaptureFrame[] {
  const start = Date.parse(capture.capturedAt)
  const frames: CaptureFrame[] = []
  for (const peer of capture.peers) {
    const call = personalContext[peer.peerId] ?? personalContext['caller']!
    for (const sample of peer.samples) frames.push({ peerId: peer.peerId, call, ts: start + sample.t, reports: sample.reports })
  }
  return frames.sort((a, b) => a.ts - b.ts)
}

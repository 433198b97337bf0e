// Plain regression tests for what the fuzz tests (test/fuzz-*.test.ts) found, one per bug.
import { Readable } from 'node:stream'
import { Packr } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import { checkFrameEnvelope } from '../lib/frame-envelope-check.ts'
import { readDump } from '../rtcstats/index.ts'
import { validateClientFrame } from '../schemas/frame-validator.ts'

const packr = new Packr({ useRecords: false })
const call = { conferenceId: 'room-1', participantId: 'p-1', peerConnectionId: 'pc-1' }
const prototypeMembers = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'toLocaleString']

describe('fuzz regressions', () => {
  it('a frame type naming a member of Object.prototype is refused as an unknown type, never accepted or thrown', () => {
    // The validators were looked up by type in a plain object: `toString` found a function that
    // "accepted" any frame (stored without seq or ts), `__proto__` one that threw (ingest's message handler crashed).
    for (const type of prototypeMembers) {
      expect(validateClientFrame({ type, seq: 1, ts: 1_700_000_000_000, call })).toEqual({ ok: false, field: '/type', message: '/type must be one of hello, stats, event' })
      for (const encoding of ['msgpack', 'json'] as const) {
        const bytes = encoding === 'json' ? new TextEncoder().encode(JSON.stringify({ type, seq: 3, ts: 1_700_000_000_000, call })) : packr.pack({ type, seq: 3, ts: 1_700_000_000_000, call })
        expect(checkFrameEnvelope(bytes, encoding)).toEqual({ ok: false, malformed: false, message: '/type must be one of hello, stats, event', seq: 3 })
      }
    }
  })

  it('a refused frame with a negative or zero seq gets no seq in its error (an error frame\'s seq is never negative)', () => {
    for (const seq of [-1, -(2 ** 53 - 1), 0]) {
      const check = checkFrameEnvelope(packr.pack({ type: 'stats', seq, ts: 1_700_000_000_000, call, reports: [] }), 'msgpack')
      expect(check).toEqual({ ok: false, malformed: false, message: '/seq must be >= 1' })
    }
  })

  it('an rtcstats line whose method names a member of Object.prototype is no peer connection event', async () => {
    // peerConnectionEvents (and format 3's compressed method ids) were looked up in plain
    // objects: `constructor` or `__proto__` became an "event" named by a function or an object.
    const create = '["create","PC_0",{},1651144298163]'
    for (const text of [`${create}\n["constructor","PC_0",{},1651144298170]\n["__proto__","PC_0","",1651144298269]`, `RTCStatsDump\n{}\n${create}\n["constructor","PC_0",{},7]\n["toString","PC_0",{},7]`]) {
      const dump = await readDump(Readable.from([text]))
      expect(dump.report.events).toBe(1)
      expect(dump.report.otherLines).toBe(2)
      expect(dump.peerConnections.get('PC_0')!.events.map((e) => e.name)).toEqual(['create'])
    }
  })
})

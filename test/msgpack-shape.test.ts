// The tight shape walk (lib/msgpack-shape.ts) against the straightforward one it replaced
// (test/support/msgpack-shape-reference.ts): the same verdict, word for word, on random
// JSON-like values, random bytes and mutated real capture frames, under the default limits
// and small ones (which exercise the depth limit and the capped element counts). Seeded.
import fc from 'fast-check'
import { Packr } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import { buildSessionFrames } from '../bench/bench-frames.ts'
import { defaultShapeLimits, msgpackShapeProblem, type ShapeLimits } from '../lib/msgpack-shape.ts'
import { msgpackShapeProblem as referenceShapeProblem } from './support/msgpack-shape-reference.ts'

const packr = new Packr({ useRecords: false })
const realFrames = (() => {
  const frames = buildSessionFrames(0)
  return frames.templates.map((_, i) => frames.frame(i + 1, 1_700_000_000_000 + i))
})()
const limitsSets: ShapeLimits[] = [defaultShapeLimits, { maxDepth: 3, maxElements: 40 }, { maxDepth: 1, maxElements: 3 }]
const params = { seed: 1303, numRuns: 400 }

function entriesOf(walk: typeof msgpackShapeProblem, bytes: Uint8Array, limits: ShapeLimits) {
  const entries: number[][] = []
  const problem = walk(bytes, limits, (...range) => entries.push(range))
  return { problem, entries }
}

function expectSameVerdict(bytes: Uint8Array): void {
  for (const limits of limitsSets) {
    expect(entriesOf(msgpackShapeProblem, bytes, limits)).toEqual(entriesOf(referenceShapeProblem, bytes, limits))
  }
}

describe('msgpack shape walk', () => {
  it('admits real capture frames and reports their top-level entries', () => {
    for (const bytes of realFrames) {
      const { problem, entries } = entriesOf(msgpackShapeProblem, bytes, defaultShapeLimits)
      expect(problem).toBeUndefined()
      expect(entries.length).toBeGreaterThanOrEqual(5) // type, seq, ts, call, reports
      expect(entries.at(-1)![3]).toBe(bytes.length)
    }
  })

  it('gives the reference verdict on random JSON-like values', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => expectSameVerdict(packr.pack(value))), params)
  })

  it('gives the reference verdict on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => expectSameVerdict(bytes)), { ...params, numRuns: 2000 })
  })

  it('gives the reference verdict on mutated real frames (flipped, cut and inserted bytes)', () => {
    const mutation = fc.record({
      frame: fc.nat(realFrames.length - 1),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      cut: fc.option(fc.nat()),
      insert: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 5 }))),
    })
    let refused = 0
    fc.assert(fc.property(mutation, ({ frame, flips, cut, insert }) => {
      let bytes: Uint8Array = Uint8Array.from(realFrames[frame]!)
      for (const [at, value] of flips) bytes[at % bytes.length] = value
      if (insert) {
        const at = insert[0] % bytes.length
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...insert[1], ...bytes.subarray(at)])
      }
      if (cut !== null) bytes = bytes.subarray(0, cut % bytes.length)
      if (referenceShapeProblem(bytes) !== undefined) refused++
      expectSameVerdict(bytes)
    }), params)
    // The mutations did produce refusals, so the comparison covered the error paths.
    expect(refused).toBeGreaterThan(params.numRuns / 4)
  })

  it('refuses a declared count beyond any limit without reading it all', () => {
    // A map declaring 2^32 - 1 entries in six bytes: refused as truncated, like the reference.
    const bytes = Uint8Array.from([0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1])
    expect(msgpackShapeProblem(bytes)).toBe('the msgpack value is truncated')
    expectSameVerdict(bytes)
    expect(() => msgpackShapeProblem(bytes, { maxDepth: 4, maxElements: 2 ** 31 })).toThrow(RangeError)
  })

  it('refuses limits it cannot honour, and a walk started from inside its own callback', () => {
    const frame = realFrames[0]!
    for (const limits of [{ maxDepth: Number.NaN, maxElements: 10 }, { maxDepth: Infinity, maxElements: 10 }, { maxDepth: -1, maxElements: 10 }, { maxDepth: 4, maxElements: 1.5 }]) {
      expect(() => msgpackShapeProblem(frame, limits)).toThrow(RangeError)
    }
    expect(() => msgpackShapeProblem(frame, defaultShapeLimits, () => msgpackShapeProblem(frame))).toThrow(/not re-entrant/)
    // The guard is released after a callback that threw: the next walk works.
    expect(msgpackShapeProblem(frame, defaultShapeLimits, () => {})).toBeUndefined()
  })
})

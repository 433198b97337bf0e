// The learned second stage (name-second-stage.ts, round 5; off in the shipped detector): what the
// detector hands it per candidate, and that it is consulted only when enabled.
import { afterEach, describe, expect, it } from 'vitest'
import { detectNames } from '../../pii/name-detector.ts'
import { FEATURES, SECOND_STAGE } from '../../pii/name-second-stage.ts'
import type { CandidateKind } from '../../pii/name-second-stage.ts'

function candidates(text: string): { kind: CandidateKind; start: number; end: number; x: Record<string, number> }[] {
  const seen: { kind: CandidateKind; start: number; end: number; x: Record<string, number> }[] = []
  SECOND_STAGE.record = (kind, x, start, end) => { seen.push({ kind, start, end, x: Object.fromEntries(FEATURES[kind].map((n, d) => [n, x[d]!])) }) }
  detectNames(text)
  SECOND_STAGE.record = undefined
  return seen
}

describe('name second stage', () => {
  const wasEnabled = SECOND_STAGE.enabled
  afterEach(() => { SECOND_STAGE.enabled = wasEnabled; SECOND_STAGE.record = undefined })

  it('is off in the shipped detector: the hand rules decide, no candidate reaches the stage', () => {
    expect(SECOND_STAGE.enabled).toBe(false)
    expect(candidates('velimor.tandrusko')).toEqual([])
  })

  it('describes two words only the model judges: separator, case, lengths, log-odds', () => {
    SECOND_STAGE.enabled = true
    const dotted = candidates('velimor.tandrusko')
    expect(dotted.length).toBeGreaterThan(0)
    const c = dotted[0]!
    expect(c).toMatchObject({ kind: 'words', start: 0, end: 17 })
    expect(c.x).toMatchObject({ 'three words': 0, 'share judged': 1, dot: 1, space: 0, lower: 1, 'title case': 0, 'min length': 0.7, 'max length': 0.9 })
    expect(c.x['min odds']!).toBeLessThanOrEqual(c.x['max odds']!)
    expect(c.x['sum odds']!).toBeCloseTo(c.x['min odds']! + c.x['max odds']!, 9)
    expect(candidates('Velimor Tandrusko')[0]!.x).toMatchObject({ space: 1, dot: 0, 'title case': 1, lower: 0 })
  })

  it('describes an initial and a surname in no list', () => {
    SECOND_STAGE.enabled = true
    const [c] = candidates('k.tandrusko')
    expect(c).toMatchObject({ kind: 'initial', start: 0, end: 11 })
    expect(c!.x).toMatchObject({ glued: 0, dot: 1, length: 0.9 })
  })
})

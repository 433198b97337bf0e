// Held-out name evaluation (design: test/pii/corpus/heldout-names.ts). For each
// of two folds the lexicon and the n-gram model are rebuilt in memory from the
// training sources minus every word of the fold's test names, so recall here
// is generalisation, not memory. Negatives come in two parts: the tuning part
// (its flags are printed, rules were tuned on it) and the held-out part
// (heldout-negatives.ts: only its counts are printed). Prints P and R per shape
// and per script for:
//   held-out         test names' words removed from lexicon and model, held-out negatives
//   source-held-out  test sources left out (names other sources share kept), held-out negatives
//   tuned            the shipped lexicon (test names are in it), tuning negatives
// and the shipped lexicon on the held-out negatives. The floors in FLOORS are the
// figures reached (a little below, the run is deterministic); the issue's targets
// are printed next to them, and the gap is the work left.
import { describe, expect, it } from 'vitest'
import { detectNames } from '../../pii/name-detector.ts'
import { loadNameLexicon } from '../../pii/names-lexicon.ts'
import type { NameLexicon } from '../../pii/names-lexicon.ts'
import { asNameLexicon, buildLexicon } from '../../scripts/name-lexicon-builder.ts'
import { buildFolds, buildNegatives, SHAPES } from './corpus/heldout-names.ts'
import type { HeldOutItem, NegativePart } from './corpus/heldout-names.ts'

interface Tally { tp: number; fp: number; fn: number; negItems: number; negFlagged: number }
const empty = (): Tally => ({ tp: 0, fp: 0, fn: 0, negItems: 0, negFlagged: 0 })
interface Result { byShape: Map<string, Tally>; byScript: Map<string, Tally>; byGroup: Map<string, Tally>; misses: string[]; flags: string[] }
const newResult = (): Result => ({ byShape: new Map(), byScript: new Map(), byGroup: new Map(), misses: [], flags: [] })

function evaluate(items: readonly HeldOutItem[], lexicon: NameLexicon, r: Result): void {
  const get = (m: Map<string, Tally>, key: string) => m.get(key) ?? (m.set(key, empty()), m.get(key)!)
  for (const it of items) {
    const found = detectNames(it.text, lexicon)
    const keys: [Map<string, Tally>, string][] = [[r.byScript, it.script]]
    if (it.script === 'latin') keys.push([r.byShape, it.shape])
    if (it.span === null) keys.push([r.byGroup, `${it.group ?? '?'}${it.script === 'latin' ? '' : ` (${it.script})`}`])
    const hit = it.span !== null && found.some((f) => f.start === it.span![0] && f.end === it.span![1])
    for (const [m, key] of keys) {
      const t = get(m, key)
      if (it.span === null) {
        t.negItems++
        if (found.length > 0) t.negFlagged++
        t.fp += found.length
        continue
      }
      if (hit) t.tp++
      else t.fn++
      t.fp += found.filter((f) => !(f.start === it.span![0] && f.end === it.span![1])).length
    }
    if (it.span === null && found.length > 0) r.flags.push(`${it.text} -> ${found.map((f) => it.text.slice(f.start, f.end)).join('|')}`)
    if (it.span !== null && !hit) r.misses.push(`${it.locale}/${it.shape}: ${it.text}`)
  }
}

const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b)
const recall = (t: Tally) => ratio(t.tp, t.tp + t.fn)
const precision = (t: Tally) => ratio(t.tp, t.tp + t.fp)
const flaggedRate = (t: Tally) => ratio(t.negFlagged, t.negItems)
const fmt = (key: string, t: Tally) => `${key.padEnd(18)} TP ${String(t.tp).padStart(5)} FN ${String(t.fn).padStart(5)} FP ${String(t.fp).padStart(4)}`
  + (t.tp + t.fn > 0 ? `  P ${precision(t).toFixed(3)}  R ${recall(t).toFixed(3)}` : '')
  + (t.negItems > 0 ? `  negatives ${t.negFlagged}/${t.negItems} flagged (${(100 * flaggedRate(t)).toFixed(1)}%)` : '')
const sum = (m: Map<string, Tally>, keys?: (k: string) => boolean) => {
  const s = empty()
  for (const [k, t] of m) if (keys === undefined || keys(k)) { s.tp += t.tp; s.fp += t.fp; s.fn += t.fn; s.negItems += t.negItems; s.negFlagged += t.negFlagged }
  return s
}

type Variant = 'held-out' | 'source-held-out' | 'tuned'
const NEGATIVES = buildNegatives()
const negativesOf = (part: NegativePart) => NEGATIVES.filter((n) => n.part === part)
const FOLDS = buildFolds()

function run(variant: Variant): Result {
  const r = newResult()
  const negatives = negativesOf(variant === 'tuned' ? 'tuning' : 'held-out')
  for (const fold of FOLDS) {
    let lexicon: NameLexicon
    if (variant === 'tuned') lexicon = loadNameLexicon()
    else if (variant === 'source-held-out') lexicon = asNameLexicon(buildLexicon(fold.trainLists))
    else lexicon = asNameLexicon(buildLexicon(fold.trainLists, fold.exclude))
    evaluate([...fold.positives, ...negatives], lexicon, r)
  }
  return r
}

function report(variant: Variant, r: Result, showFlags: boolean): string {
  const latin = sum(r.byShape)
  const nonLatin = sum(r.byScript, (k) => k !== 'latin')
  return [`names ${variant} (both folds; negatives: ${variant === 'tuned' ? 'tuning' : 'held-out'} part, counted once per fold)`,
    fmt('latin, all', latin),
    ...SHAPES.map((s) => fmt(`  ${s}`, r.byShape.get(s) ?? empty())),
    fmt('  ids/dates', r.byShape.get('id') ?? empty()),
    ...[...r.byScript].filter(([k]) => k !== 'latin').sort().map(([k, t]) => fmt(`${k}`, t)),
    fmt('non-latin, all', nonLatin),
    'negatives by group:',
    ...[...r.byGroup].sort().map(([k, t]) => fmt(`  ${k}`, t)),
    ...(showFlags ? [`first flags on tuning negatives: ${JSON.stringify(r.flags.slice(0, 40))}`] : []),
    `misses: ${r.misses.length}, every 37th: ${JSON.stringify(r.misses.filter((_, i) => i % 37 === 0).slice(0, 40))}`,
  ].join('\n')
}

/**
 * Regression floors on the held-out part: the figures this version reaches,
 * rounded down a little. The issue's targets are higher (TARGETS); the printed
 * report shows the gap.
 */
const FLOORS = {
  latinRecall: 0.68, latinPrecision: 0.94, negativesFlaggedMax: 0.0225,
  shapeRecall: { 'First Last': 0.77, 'first.last': 0.77, first_last: 0.77, FirstLast: 0.77, 'FIRST LAST': 0.77, 'last-first-42': 0.755, 'Last, First': 0.75, 'f.last': 0.53, flast: 0.395, firstlast: 0.515 } as Record<string, number>,
  scriptRecall: { cyrillic: 0.99, greek: 0.99, arabic: 0.97, hebrew: 0.99, devanagari: 0.99, armenian: 0.99, georgian: 0.99, thai: 0.99, han: 0.95, hangul: 0.9, kana: 0.99 } as Record<string, number>,
}
const TARGETS = 'targets (issue 8, held-out): latin R >= 0.85 at P >= 0.97, each shape R >= 0.7, each non-Latin script R >= 0.9, negatives flagged <= 1%'

describe('names held out by source and by name', () => {
  const heldOut = run('held-out')
  const heldOutNegatives = negativesOf('held-out')

  it('prints held-out, source-held-out and tuned figures', () => {
    const tuned = run('tuned')
    const source = run('source-held-out')
    const shipped = newResult()
    evaluate(heldOutNegatives, loadNameLexicon(), shipped)
    console.log([report('held-out', heldOut, false), report('source-held-out', source, false), report('tuned', tuned, true),
      `shipped lexicon on the held-out negatives: ${fmt('all', sum(shipped.byScript))}\n${[...shipped.byGroup].sort().map(([k, t]) => fmt(`  ${k}`, t)).join('\n')}`,
      `floors asserted: ${JSON.stringify(FLOORS)}`, TARGETS].join('\n\n'))
    expect(heldOut.byShape.size).toBeGreaterThan(5)
  })

  it('held-out Latin recall, precision and negatives stay at the figures reached', () => {
    const latin = sum(heldOut.byShape)
    const negatives = sum(heldOut.byGroup)
    const figures = `R ${recall(latin).toFixed(3)} P ${precision(latin).toFixed(3)} negatives flagged ${(100 * flaggedRate(negatives)).toFixed(2)}%`
    expect(recall(latin), figures).toBeGreaterThanOrEqual(FLOORS.latinRecall)
    expect(precision(latin), figures).toBeGreaterThanOrEqual(FLOORS.latinPrecision)
    expect(flaggedRate(negatives), figures).toBeLessThanOrEqual(FLOORS.negativesFlaggedMax)
    for (const [shape, floor] of Object.entries(FLOORS.shapeRecall)) {
      const t = heldOut.byShape.get(shape) ?? empty()
      expect(recall(t), `${shape}: R ${recall(t).toFixed(3)}`).toBeGreaterThanOrEqual(floor)
    }
  })

  it('held-out non-Latin recall per script stays at the figures reached', () => {
    for (const [script, floor] of Object.entries(FLOORS.scriptRecall)) {
      const t = heldOut.byScript.get(script) ?? empty()
      expect(recall(t), `${script}: R ${recall(t).toFixed(3)} (TP ${t.tp} FN ${t.fn})`).toBeGreaterThanOrEqual(floor)
    }
  })

  it('no UUID, hex, numeric id, date or version string is read as a name', () => {
    const flagged = heldOutNegatives.concat(negativesOf('tuning')).filter((n) => n.shape === 'id' && detectNames(n.text).length > 0)
    expect(flagged.map((n) => n.text)).toEqual([])
  })
})

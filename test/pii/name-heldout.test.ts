// Held-out name evaluation (design: test/pii/corpus/heldout-names.ts). For each
// of two folds the lexicon and the n-gram model are rebuilt in memory from the
// training sources minus every word of the fold's test names, so recall here
// is generalisation, not memory. Prints P and R per shape and per script, the
// negatives' flagged rate, and the same test names against the shipped lexicon
// ("tuned": those names are in it). Floors below guard against regressions;
// the targets are printed next to the figures.
import { describe, expect, it } from 'vitest'
import { detectNames } from '../../processor/pii/name-detector.ts'
import { loadNameLexicon } from '../../processor/pii/names-lexicon.ts'
import type { NameLexicon } from '../../processor/pii/names-lexicon.ts'
import { asNameLexicon, buildLexicon } from '../../scripts/name-lexicon-builder.ts'
import { buildFolds, SHAPES } from './corpus/heldout-names.ts'
import type { HeldOutItem } from './corpus/heldout-names.ts'

interface Tally { tp: number; fp: number; fn: number; negItems: number; negFlagged: number }
const empty = (): Tally => ({ tp: 0, fp: 0, fn: 0, negItems: 0, negFlagged: 0 })

function evaluate(items: readonly HeldOutItem[], lexicon: NameLexicon, byShape: Map<string, Tally>, byScript: Map<string, Tally>, misses: string[], flags: string[]): void {
  const get = (m: Map<string, Tally>, key: string) => m.get(key) ?? (m.set(key, empty()), m.get(key)!)
  for (const it of items) {
    const found = detectNames(it.text, lexicon)
    const keys: [Map<string, Tally>, string][] = [[byScript, it.script]]
    if (it.script === 'latin') keys.push([byShape, it.shape])
    for (const [m, key] of keys) {
      const t = get(m, key)
      if (it.span === null) {
        t.negItems++
        if (found.length > 0) t.negFlagged++
        t.fp += found.length
        continue
      }
      const hit = found.some((f) => f.start === it.span![0] && f.end === it.span![1])
      if (hit) t.tp++
      else t.fn++
      t.fp += found.filter((f) => !(f.start === it.span![0] && f.end === it.span![1])).length
    }
    if (it.span === null && found.length > 0) flags.push(`${it.text} -> ${found.map((f) => it.text.slice(f.start, f.end)).join('|')}`)
    if (it.span !== null && !found.some((f) => f.start === it.span![0] && f.end === it.span![1])) misses.push(`${it.locale}/${it.shape}: ${it.text}`)
  }
}

const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b)
const fmt = (key: string, t: Tally) => `${key.padEnd(14)} TP ${String(t.tp).padStart(5)} FN ${String(t.fn).padStart(5)} FP ${String(t.fp).padStart(4)}`
  + `  P ${ratio(t.tp, t.tp + t.fp).toFixed(3)}  R ${ratio(t.tp, t.tp + t.fn).toFixed(3)}`
  + (t.negItems > 0 ? `  negatives ${t.negFlagged}/${t.negItems} flagged` : '')
const sum = (m: Map<string, Tally>, keys?: (k: string) => boolean) => {
  const s = empty()
  for (const [k, t] of m) if (keys === undefined || keys(k)) { s.tp += t.tp; s.fp += t.fp; s.fn += t.fn; s.negItems += t.negItems; s.negFlagged += t.negFlagged }
  return s
}

/** held-out: test names removed from lexicon and model; source-held-out: test sources left out, names other sources share kept; tuned: shipped lexicon. */
type Variant = 'held-out' | 'source-held-out' | 'tuned'
function run(variant: Variant) {
  const byShape = new Map<string, Tally>()
  const byScript = new Map<string, Tally>()
  const misses: string[] = []
  const flags: string[] = []
  for (const fold of buildFolds()) {
    let lexicon: NameLexicon
    if (variant === 'tuned') lexicon = loadNameLexicon()
    else if (variant === 'source-held-out') lexicon = asNameLexicon(buildLexicon(fold.trainLists))
    else lexicon = asNameLexicon(buildLexicon(fold.trainLists, fold.exclude))
    evaluate([...fold.positives, ...fold.negatives], lexicon, byShape, byScript, misses, flags)
  }
  return { byShape, byScript, misses, flags }
}

function report(variant: Variant, r: ReturnType<typeof run>): string {
  const latin = sum(r.byShape)
  const nonLatin = sum(r.byScript, (k) => k !== 'latin')
  return [`names ${variant} (both folds)`,
    fmt('latin, all', latin),
    ...SHAPES.map((s) => fmt(`  ${s}`, r.byShape.get(s) ?? empty())),
    fmt('  ids/dates', r.byShape.get('id') ?? empty()),
    ...[...r.byScript].filter(([k]) => k !== 'latin').sort().map(([k, t]) => fmt(`${k}`, t)),
    fmt('non-latin, all', nonLatin),
    `first flags on negatives: ${JSON.stringify(r.flags.slice(0, 30))}`,
    `first misses (of ${r.misses.length}): ${JSON.stringify(r.misses.filter((_, i) => i % 37 === 0).slice(0, 40))}`,
  ].join('\n')
}

describe('names held out by source and by name', () => {
  const heldOut = run('held-out')

  it('prints baseline, held-out and tuned figures', () => {
    const tuned = run('tuned')
    const source = run('source-held-out')
    console.log([report('held-out', heldOut), report('source-held-out', source), report('tuned', tuned),
      'baseline (the detector before this work, measured once on this same set): held-out latin R 0.000 P 0.003; source-held-out latin R 0.325 P 0.740, negatives 5.6% flagged; non-latin R 0.639 (armenian, georgian, thai, kana 0)',
      'targets (held-out): latin R >= 0.85 at P >= 0.97, each shape R >= 0.7, each non-Latin script R >= 0.9, negatives flagged <= 1%'].join('\n\n'))
    expect(heldOut.byShape.size).toBeGreaterThan(5)
  })

  it('regression floors on the held-out part (below the issue targets: see the printed figures)', () => {
    const nonLatin = (script: string) => heldOut.byScript.get(script) ?? empty()
    for (const script of ['cyrillic', 'greek', 'arabic', 'hebrew', 'devanagari', 'armenian', 'georgian', 'thai']) {
      const t = nonLatin(script)
      expect(ratio(t.tp, t.tp + t.fn), script).toBeGreaterThanOrEqual(0.9)
    }
    expect(ratio(nonLatin('han').tp, nonLatin('han').tp + nonLatin('han').fn)).toBeGreaterThanOrEqual(0.65)
    expect(ratio(nonLatin('hangul').tp, nonLatin('hangul').tp + nonLatin('hangul').fn)).toBeGreaterThanOrEqual(0.75)
  })

  it('no UUID, hex, numeric id, date or version string is read as a name', () => {
    expect(heldOut.byShape.get('id')?.negFlagged ?? 0).toBe(0)
  })
})

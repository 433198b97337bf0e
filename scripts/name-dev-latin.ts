// Development aid (not a test). Rules and thresholds are chosen on:
//   validation names  pairs drawn from each fold's *training* faker locales, sharing no word
//                     with any test name of either fold; the lexicon is rebuilt without their
//                     words (and without the fold's test words), as in the held-out test;
//   tuning negatives  and validation negatives (faker modules and locales neither negative part
//                     uses), their flags listed in $TMPDIR/callmask-name-dev/; validation towns
//                     (small GeoNames places, scripts/name-dev-validation.ts; since round 3).
// Since round 4 the validation is the strict, by-language one by default (validation names from
// every other language of the training group, the lexicon built without their locales and their
// words; round 3 found it tracks the held-out figures, the plain one overstated gains). The second
// recall line is then the plain build (their locales kept). PLAIN=1: round 3's plain validation.
// With --final it also prints the held-out recall per shape and the held-out negatives
// flagged (counts only): the figures to report, never to choose by.
import { mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { detectNames } from '../pii/name-detector.ts'
import { asNameLexicon, buildLexicon } from './name-lexicon-builder.ts'
import { buildFolds, buildNegatives, SHAPES } from '../test/pii/corpus/heldout-names.ts'
import type { HeldOutItem } from '../test/pii/corpus/heldout-names.ts'
import { validationLabelNegatives, validationNegatives, validationSplit, validationTownNegatives } from './name-dev-validation.ts'

const VALIDATION_NEGATIVES = validationNegatives()
const VALIDATION_TOWNS = validationTownNegatives()
const VALIDATION_LABELS = validationLabelNegatives()

const final = process.argv.includes('--final')
const negatives = buildNegatives().filter((n) => n.script === 'latin')
const folds = buildFolds()
const testWords = new Set([...folds[0]!.exclude, ...folds[1]!.exclude])

type T = Map<string, { tp: number; fn: number; fp: number }>
const misses: string[] = []
function score(items: readonly HeldOutItem[], lexicon: ReturnType<typeof asNameLexicon>, t: T, keepMisses = false): void {
  for (const p of items) {
    const x = t.get(p.shape) ?? { tp: 0, fn: 0, fp: 0 }
    const found = detectNames(p.text, lexicon)
    const hit = found.some((f) => f.start === p.span![0] && f.end === p.span![1])
    if (hit) x.tp++; else { x.fn++; if (keepMisses) misses.push(`${p.locale} ${p.shape}: ${p.text} -> ${found.map((f) => p.text.slice(f.start, f.end)).join('|')}`) }
    x.fp += found.length - (hit ? 1 : 0)
    t.set(p.shape, x)
  }
}
const print = (label: string, t: T) => {
  let tp = 0, fn = 0, fp = 0
  const cells = SHAPES.map((s) => { const x = t.get(s) ?? { tp: 0, fn: 0, fp: 0 }; tp += x.tp; fn += x.fn; fp += x.fp; return `${s} ${(x.tp / (x.tp + x.fn)).toFixed(3)}` })
  console.log(`${label}: R ${(tp / (tp + fn)).toFixed(3)} (${tp + fn}) wrong spans ${fp} | ${cells.join(' | ')}`)
}

const validation: T = new Map()
const validationSource: T = new Map()
const heldOut: T = new Map()
const tuningFlags: string[] = []
let valFlagged = 0, valItems = 0, townFlagged = 0, townItems = 0, labelFlagged = 0, labelItems = 0
const valFlags: string[] = []
let heldOutFlagged = 0, heldOutItems = 0, tuningFlagged = 0, tuningItems = 0
const plain = process.env.PLAIN !== undefined
for (const fold of folds) {
  const { items, exclude, locales: valLocales } = validationSplit(fold, testWords, !plain)
  const kept = asNameLexicon(buildLexicon(fold.trainLists, exclude))
  const without = asNameLexicon(buildLexicon(fold.trainLists.filter((l) => !(l.source === 'faker' && valLocales.has(l.locale))), plain ? fold.exclude : exclude))
  // Strict (default, round 4): measured on the build without the validation languages' locales and words.
  const vLexicon = plain ? kept : without
  score(items, vLexicon, validation, true)
  score(items, plain ? without : kept, validationSource)
  for (const n of VALIDATION_NEGATIVES) {
    valItems++
    if (detectNames(n.text, vLexicon).length > 0) { valFlagged++; valFlags.push(`${fold.k} ${n.shape}: ${n.text}`) }
  }
  for (const n of VALIDATION_TOWNS) { townItems++; if (detectNames(n.text, vLexicon).length > 0) townFlagged++ }
  for (const n of VALIDATION_LABELS) { labelItems++; if (detectNames(n.text, vLexicon).length > 0) labelFlagged++ }
  for (const n of negatives) {
    if (n.part !== 'tuning') continue
    tuningItems++
    if (detectNames(n.text, vLexicon).length > 0) { tuningFlagged++; tuningFlags.push(`${fold.k} ${n.group} ${n.shape}: ${n.text}`) }
  }
  if (final) {
    const lexicon = asNameLexicon(buildLexicon(fold.trainLists, fold.exclude))
    score(fold.positives.filter((x) => x.script === 'latin'), lexicon, heldOut)
    for (const n of negatives) if (n.part === 'held-out') { heldOutItems++; if (detectNames(n.text, lexicon).length > 0) heldOutFlagged++ }
  }
}
print('validation', validation)
print(plain ? 'validation, source-held-out' : 'validation, locales kept (plain build)', validationSource)
const OUT = join(tmpdir(), 'callmask-name-dev')
mkdirSync(OUT, { recursive: true })
writeFileSync(join(OUT, 'tuning-flags.txt'), tuningFlags.join('\n'))
writeFileSync(join(OUT, 'validation-misses.txt'), misses.join('\n'))
writeFileSync(join(OUT, 'validation-flags.txt'), valFlags.join('\n'))
console.log(`validation negatives flagged ${valFlagged}/${valItems} (${(100 * valFlagged / valItems).toFixed(2)}%)`)
console.log(`validation towns flagged ${townFlagged}/${townItems} (${(100 * townFlagged / townItems).toFixed(2)}%)`)
console.log(`validation labels flagged ${labelFlagged}/${labelItems} (${(100 * labelFlagged / labelItems).toFixed(2)}%)`)
console.log(`tuning negatives flagged (validation lexicon) ${tuningFlagged}/${tuningItems} (${(100 * tuningFlagged / tuningItems).toFixed(2)}%)`)
if (final) {
  print('HELD-OUT', heldOut)
  console.log(`HELD-OUT negatives flagged ${heldOutFlagged}/${heldOutItems} (${(100 * heldOutFlagged / heldOutItems).toFixed(2)}%)`)
}

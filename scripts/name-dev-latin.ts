// Development aid (not a test). Rules and thresholds are chosen on:
//   validation names  pairs drawn from each fold's *training* faker locales, sharing no word
//                     with any test name of either fold; the lexicon is rebuilt without their
//                     words (and without the fold's test words), as in the held-out test;
//   tuning negatives  and validation negatives (faker modules and locales neither negative part
//                     uses), their flags listed in $TMPDIR/callmask-name-dev/.
// With --final it also prints the held-out recall per shape and the held-out negatives
// flagged (counts only): the figures to report, never to choose by.
import { mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { detectNames } from '../pii/name-detector.ts'
import { foldToken } from '../pii/fold-token.ts'
import { asNameLexicon, buildLexicon } from './name-lexicon-builder.ts'
import { buildFolds, buildNegatives, renderShape, scriptOfName, SHAPES } from '../test/pii/corpus/heldout-names.ts'
import type { HeldOutItem } from '../test/pii/corpus/heldout-names.ts'
import { mulberry32 } from '../bench/identifier-mix.ts'
import { allLocales, Faker } from '@faker-js/faker'
import { renderNegative } from '../test/pii/corpus/heldout-names.ts'

/**
 * Validation negatives, from faker modules and locales neither negative part uses: adjective +
 * noun in da, de, hu, id_ID, pt_BR, fr (everyday words the lexicon's top-word lists may lack,
 * the model path's real risk), song titles, colours, materials, fruit, spices, elements.
 */
function validationNegatives(): string[] {
  const out: string[] = []
  for (const loc of ['da', 'de', 'hu', 'id_ID', 'pt_BR', 'fr'] as const) {
    const f = new Faker({ locale: [allLocales[loc], allLocales.en, allLocales.base] })
    f.seed(11)
    for (let i = 0; i < 80; i++) out.push(`${f.word.adjective()} ${f.word.noun()}`)
  }
  const f = new Faker({ locale: [allLocales.en, allLocales.base] })
  f.seed(12)
  for (let i = 0; i < 60; i++) {
    out.push(f.music.songName(), `${f.color.human()} ${f.commerce.productMaterial()}`, `${f.food.fruit()} ${f.food.spice()}`,
      `${f.science.chemicalElement().name} ${f.word.noun()}`, `${f.company.buzzAdjective()} ${f.company.buzzNoun()}`)
  }
  return out.filter((p) => /^[\p{L} '-]+$/u.test(p) && p.split(/\s+/).length >= 2)
}
const VALIDATION_NEGATIVES = validationNegatives().flatMap((p) => SHAPES.map((shape) => ({ shape, text: renderNegative(shape, p) })))

const final = process.argv.includes('--final')
const negatives = buildNegatives().filter((n) => n.script === 'latin')
const folds = buildFolds()
const testWords = new Set([...folds[0]!.exclude, ...folds[1]!.exclude])
const parts = (n: string) => n.split(/[\s\-]+/).filter((p) => p !== '')

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
let valFlagged = 0, valItems = 0
const valFlags: string[] = []
let heldOutFlagged = 0, heldOutItems = 0, tuningFlagged = 0, tuningItems = 0
for (const fold of folds) {
  const items: HeldOutItem[] = []
  const exclude = new Set(fold.exclude)
  const r = mulberry32(5000 + fold.k)
  // Validation names come from every other faker training locale, so that a source-held-out
  // validation build (those locales left out, their names' words kept elsewhere) exists too.
  const valLocales = new Set(fold.trainLists.filter((l) => l.source === 'faker').map((l) => l.locale).filter((_, i) => i % 2 === 0))
  for (const list of fold.trainLists) {
    if (list.source !== 'faker' || !valLocales.has(list.locale) || list.given.length === 0 || list.surnames.length === 0) continue
    for (let i = 0; i < 24; i++) {
      const given = list.given[Math.floor(r() * list.given.length)]!
      const surname = list.surnames[Math.floor(r() * list.surnames.length)]!
      const words = [...parts(given), ...parts(surname)].map(foldToken)
      if (scriptOfName(given + surname) !== 'latin' || words.some((w) => testWords.has(w))) continue
      for (const w of words) exclude.add(w)
      for (const shape of SHAPES) items.push({ ...renderShape(shape, given, surname), shape, script: 'latin', source: 'faker', locale: list.locale })
    }
  }
  const vLexicon = asNameLexicon(buildLexicon(fold.trainLists, exclude))
  score(items, vLexicon, validation, true)
  score(items, asNameLexicon(buildLexicon(fold.trainLists.filter((l) => !(l.source === 'faker' && valLocales.has(l.locale))), fold.exclude)), validationSource)
  for (const n of VALIDATION_NEGATIVES) {
    valItems++
    if (detectNames(n.text, vLexicon).length > 0) { valFlagged++; valFlags.push(`${fold.k} ${n.shape}: ${n.text}`) }
  }
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
print('validation, source-held-out', validationSource)
const OUT = join(tmpdir(), 'callmask-name-dev')
mkdirSync(OUT, { recursive: true })
writeFileSync(join(OUT, 'tuning-flags.txt'), tuningFlags.join('\n'))
writeFileSync(join(OUT, 'validation-misses.txt'), misses.join('\n'))
writeFileSync(join(OUT, 'validation-flags.txt'), valFlags.join('\n'))
console.log(`validation negatives flagged ${valFlagged}/${valItems} (${(100 * valFlagged / valItems).toFixed(2)}%)`)
console.log(`tuning negatives flagged (validation lexicon) ${tuningFlagged}/${tuningItems} (${(100 * tuningFlagged / tuningItems).toFixed(2)}%)`)
if (final) {
  print('HELD-OUT', heldOut)
  console.log(`HELD-OUT negatives flagged ${heldOutFlagged}/${heldOutItems} (${(100 * heldOutFlagged / heldOutItems).toFixed(2)}%)`)
}

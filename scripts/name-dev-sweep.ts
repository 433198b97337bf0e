// Dev aid (not a test): sweeps the model cut-offs of name-detector.ts (MODEL_CUTS) on the
// validation data of scripts/name-dev-latin.ts only (validation names from the training locales,
// tuning and validation negatives); never on the held-out test. Each lexicon is built once.
// Default since round 4: the strict, by-language validation of round 3. Validation names come from
// every other *language* of the fold's training group (validationSplit byLanguage), and the lexicon
// measured (R, negatives) leaves out their locales *and* their words, as the held-out test does with
// its test locales; srcR is the plain build (their locales kept, their words left out). Round 3
// found the plain validation overstated gains (sibling locales still train the model), the strict
// one tracked the held-out figures.
// PLAIN=1: round 3's plain validation (every other locale; R on the build that keeps their locales,
// srcR on the one without them, test words only left out), to compare with earlier notes.
//   npx tsx scripts/name-dev-sweep.ts [key=v1,v2,... ...]   (one key at a time around the current cuts)
//   npx tsx scripts/name-dev-sweep.ts --set key=v,key=v      (one setting)
import { detectNames, MODEL_CUTS } from '../pii/name-detector.ts'
import type { NameLexicon } from '../pii/names-lexicon.ts'
import { asNameLexicon, buildLexicon } from './name-lexicon-builder.ts'
import { buildFolds, buildNegatives, SHAPES } from '../test/pii/corpus/heldout-names.ts'
import type { HeldOutItem } from '../test/pii/corpus/heldout-names.ts'
import { validationLabelNegatives, validationNegatives, validationSplit, validationTownNegatives } from './name-dev-validation.ts'
import { trainNameModel } from '../pii/name-model.ts'
import { VARIANTS } from './name-model-dev.ts'

type Cuts = typeof MODEL_CUTS
const folds = buildFolds()
const testWords = new Set([...folds[0]!.exclude, ...folds[1]!.exclude])
const tuning = buildNegatives().filter((n) => n.script === 'latin' && n.part === 'tuning')
const valNeg = validationNegatives()
const towns = validationTownNegatives()
const labels = validationLabelNegatives()
/** NAME_MODEL_VARIANT=<name in scripts/name-model-dev.ts VARIANTS> trains that model variant instead of the shipped one. */
const variant = process.env.NAME_MODEL_VARIANT
const options = variant === undefined ? {} : VARIANTS[variant]
if (options === undefined) throw new Error(`unknown variant ${variant}`)
const train = (n: ReadonlySet<string>, w: ReadonlySet<string>, a: ReadonlySet<string>) => trainNameModel(n, w, options, a)
const plain = process.env.PLAIN !== undefined
const sets: { items: HeldOutItem[]; lexicon: NameLexicon; source: NameLexicon }[] = folds.map((fold) => {
  const { items, exclude, locales } = validationSplit(fold, testWords, !plain)
  const kept = asNameLexicon(buildLexicon(fold.trainLists, exclude, train))
  const without = asNameLexicon(buildLexicon(fold.trainLists.filter((l) => !(l.source === 'faker' && locales.has(l.locale))), plain ? fold.exclude : exclude, train))
  // Strict (default): recall and negatives on the build without the validation locales and words, the other as srcR.
  return plain ? { items, lexicon: kept, source: without } : { items, lexicon: without, source: kept }
})

export interface Figures { r: number; src: number; shape: Record<string, number>; val: number; tune: number; tp: number; n: number; valF: number; valN: number; tuneF: number; tuneN: number; townF: number; townN: number; labelF: number; labelN: number }
export function measure(cuts: Partial<Cuts>, shapes?: ReadonlySet<string>, withSource = true): Figures {
  const saved = { ...MODEL_CUTS }
  Object.assign(MODEL_CUTS, cuts)
  const hits = new Map<string, [number, number]>()
  let tp = 0, n = 0, stp = 0, val = 0, tune = 0, valN = 0, tuneN = 0, town = 0, townN = 0, label = 0, labelN = 0
  const take = (shape: string) => shapes === undefined || shapes.has(shape)
  for (const s of sets) {
    for (const p of s.items) {
      if (!take(p.shape)) continue
      const ok = (lex: NameLexicon) => detectNames(p.text, lex).some((f) => f.start === p.span![0] && f.end === p.span![1])
      const hit = ok(s.lexicon)
      const h = hits.get(p.shape) ?? [0, 0]
      h[0] += hit ? 1 : 0; h[1]++
      hits.set(p.shape, h)
      tp += hit ? 1 : 0; n++
      if (withSource && ok(s.source)) stp++
    }
    for (const t of valNeg) if (take(t.shape)) { valN++; if (detectNames(t.text, s.lexicon).length > 0) val++ }
    for (const t of tuning) if (take(t.shape)) { tuneN++; if (detectNames(t.text, s.lexicon).length > 0) tune++ }
    for (const t of towns) if (take(t.shape)) { townN++; if (detectNames(t.text, s.lexicon).length > 0) town++ }
    for (const t of labels) if (take(t.shape)) { labelN++; if (detectNames(t.text, s.lexicon).length > 0) label++ }
  }
  Object.assign(MODEL_CUTS, saved)
  const shape: Record<string, number> = {}
  for (const sh of SHAPES) { const h = hits.get(sh); shape[sh] = h === undefined ? NaN : h[0] / h[1] }
  return { r: tp / n, src: stp / n, shape, val: val / valN, tune: tune / tuneN, tp, n, valF: val, valN, tuneF: tune, tuneN, townF: town, townN, labelF: label, labelN }
}

export const line = (label: string, f: Figures) =>
  `${label.padEnd(34)} R ${f.r.toFixed(3)} srcR ${f.src.toFixed(3)} val ${(100 * f.val).toFixed(2)}% tune ${(100 * f.tune).toFixed(2)}% towns ${(100 * f.townF / f.townN).toFixed(2)}% labels ${(100 * f.labelF / f.labelN).toFixed(2)}% | FL ${f.shape['First Last']!.toFixed(3)} f.last ${f.shape['f.last']!.toFixed(3)} flast ${f.shape.flast!.toFixed(3)} firstlast ${f.shape.firstlast!.toFixed(3)}`

function parse(arg: string): Partial<Cuts> {
  const out: Record<string, number> = {}
  for (const kv of arg.split(',')) { const [k, v] = kv.split('='); if (!(k! in MODEL_CUTS)) throw new Error(`unknown cut ${k}`); out[k!] = Number(v) }
  return out as Partial<Cuts>
}

if (process.argv[1]?.endsWith('name-dev-sweep.ts')) {
  const args = process.argv.slice(2)
  console.log(line(`current ${JSON.stringify(MODEL_CUTS)}`, measure({})))
  if (args[0] === '--frontier') frontier()
  else if (args[0] === '--set') {
    for (const a of args.slice(1)) console.log(line(a, measure(parse(a))))
  } else {
    for (const a of args) {
      const [k, vs] = a.split('=')
      for (const v of vs!.split(',')) console.log(line(`${k}=${v}`, measure(parse(`${k}=${v}`))))
    }
  }
}

/**
 * Grid over the cuts, split by what they govern (nearly separable): multi-word shapes (threshold,
 * min, pair) and single-token shapes (f.last, flast, firstlast: concat, initialAlone,
 * thresholdInitial, at the multi-word threshold). Prints, for budgets of the negatives flagged
 * (validation + tuning negatives together), the best validation recall and its cuts.
 */
function frontier(): void {
  const single = new Set(['f.last', 'flast', 'firstlast'])
  const multi = new Set(SHAPES.filter((s) => !single.has(s)))
  const grid = (xs: Record<string, number[]>) => Object.entries(xs).reduce<Record<string, number>[]>((acc, [k, vs]) => acc.flatMap((c) => vs.map((v) => ({ ...c, [k]: v }))), [{}])
  const multiRows = grid({ threshold: [0, 0.5, 1, 1.5, 2, 3], min: [-5, -4, -3, -2], pair: [-1, 0, 1, 2] }).map((c) => ({ c, f: measure(c, multi, false) }))
  // Pareto front in (recall, validation negatives flagged, tuning negatives flagged).
  const dominates = (b: Figures, a: Figures) => b.tp >= a.tp && b.valF <= a.valF && b.tuneF <= a.tuneF && b.townF <= a.townF && b.labelF <= a.labelF && (b.tp > a.tp || b.valF < a.valF || b.tuneF < a.tuneF || b.townF < a.townF || b.labelF < a.labelF)
  const best = <T extends { f: Figures }>(rows: T[]) => rows.filter((a) => !rows.some((b) => dominates(b.f, a.f)))
  const multiFront = best(multiRows)
  const rows: { c: Record<string, number>; f: Figures }[] = []
  for (const threshold of [...new Set(multiFront.map((r) => r.c.threshold!))]) {
    for (const c of grid({ concat: [3, 4, 5, 6, 7], initialAlone: [1, 1.5, 2, 2.5, 3], thresholdInitial: [0.5, 1, 1.5, 2, 2.5] })) rows.push({ c: { threshold, ...c }, f: measure({ threshold, ...c }, single, false) })
  }
  const singleFront = best(rows)
  const combos = multiFront.flatMap((m) => singleFront.filter((x) => x.c.threshold === m.c.threshold).map((x) => {
    const tp = m.f.tp + x.f.tp, n = m.f.n + x.f.n, neg = m.f.valF + m.f.tuneF + x.f.valF + x.f.tuneF, negN = m.f.valN + m.f.tuneN + x.f.valN + x.f.tuneN
    return { c: { ...m.c, ...x.c }, r: tp / n, neg: neg / negN, valF: m.f.valF + x.f.valF, tuneF: m.f.tuneF + x.f.tuneF, townF: m.f.townF + x.f.townF, labelF: m.f.labelF + x.f.labelF, shape: { ...m.f.shape, ...Object.fromEntries([...single].map((s) => [s, x.f.shape[s]!])) } }
  }))
  console.log(`variant ${variant ?? 'shipped'}: ${multiFront.length} multi-word and ${singleFront.length} single-token settings on the frontier`)
  if (process.argv.includes('--all')) {
    const show = (label: string, f: Figures, shapes: string[]) => `${label.padEnd(70)} R ${f.r.toFixed(3)} negatives ${f.valF}+${f.tuneF} of ${f.valN}+${f.tuneN} | ${shapes.map((s) => `${s} ${f.shape[s]!.toFixed(3)}`).join(' ')}`
    for (const m of multiFront.sort((a, b) => a.f.tp - b.f.tp)) console.log(show(JSON.stringify(m.c), m.f, ['First Last', 'Last, First']))
    for (const x of singleFront.sort((a, b) => a.f.tp - b.f.tp)) console.log(show(JSON.stringify(x.c), x.f, [...single]))
  }
  // Budgets on each negatives part apart (the tuning part is the realistic kind: rooms, brands, places).
  const maxTune = Number(process.env.MAX_TUNE ?? Infinity), maxVal = Number(process.env.MAX_VAL ?? Infinity), maxTown = Number(process.env.MAX_TOWN ?? Infinity), maxLabel = Number(process.env.MAX_LABEL ?? Infinity)
  // MIN_SHAPES='f.last=0.511,flast=0.395': no shape below these validation recalls (round 2's).
  const minShapes = Object.fromEntries((process.env.MIN_SHAPES ?? '').split(',').filter((x) => x !== '').map((kv) => [kv.split('=')[0]!, Number(kv.split('=')[1])]))
  const within = combos.filter((x) => x.tuneF <= maxTune && x.valF <= maxVal && x.townF <= maxTown && x.labelF <= maxLabel && Object.entries(minShapes).every(([k, v]) => x.shape[k]! >= v)).sort((a, b) => b.r - a.r).slice(0, 8)
  for (const ok of within) console.log(`tuning <= ${maxTune}, validation <= ${maxVal}, towns <= ${maxTown}, labels <= ${maxLabel}: R ${ok.r.toFixed(3)} val ${ok.valF} tune ${ok.tuneF} towns ${ok.townF} labels ${ok.labelF} | FL ${ok.shape['First Last']!.toFixed(3)} f.last ${ok.shape['f.last']!.toFixed(3)} flast ${ok.shape.flast!.toFixed(3)} firstlast ${ok.shape.firstlast!.toFixed(3)} | ${JSON.stringify(ok.c)}`)
  for (const budget of [0.010, 0.0125, 0.015, 0.0175, 0.02, 0.0225, 0.025, 0.03]) {
    const ok = combos.filter((x) => x.neg <= budget).sort((a, b) => b.r - a.r)[0]
    if (ok === undefined) { console.log(`negatives <= ${(100 * budget).toFixed(2)}%: none`); continue }
    console.log(`negatives <= ${(100 * budget).toFixed(2)}%: R ${ok.r.toFixed(3)} at ${(100 * ok.neg).toFixed(2)}% | FL ${ok.shape['First Last']!.toFixed(3)} f.last ${ok.shape['f.last']!.toFixed(3)} flast ${ok.shape.flast!.toFixed(3)} firstlast ${ok.shape.firstlast!.toFixed(3)} | ${JSON.stringify(ok.c)}`)
  }
}

// Dev aid (not a test, round 4): multi-part validation names, the wrong-span case the two-word
// validation names of name-dev-sweep.ts cannot show. Given name + two surnames of the same validation
// locale (strict, by-language validation: the build leaves out those locales and every word of these
// names), in the multi-word shapes; prints recall, wrong spans and precision per setting of MODEL_CUTS.
//   npx tsx scripts/name-dev-multipart.ts key=v,key=v [key=v,...]
import { detectNames, MODEL_CUTS } from '../pii/name-detector.ts'
import { asNameLexicon, buildLexicon } from './name-lexicon-builder.ts'
import { buildFolds, renderShape, scriptOfName, SHAPES } from '../test/pii/corpus/heldout-names.ts'
import { validationSplit } from './name-dev-validation.ts'
import { foldToken } from '../pii/fold-token.ts'
import { mulberry32 } from '../bench/identifier-mix.ts'
const folds = buildFolds()
const testWords = new Set([...folds[0]!.exclude, ...folds[1]!.exclude])
const sets = folds.map((fold) => {
  const { exclude, locales } = validationSplit(fold, testWords, true)
  const r = mulberry32(7000 + fold.k)
  const items: { text: string; span: [number, number]; shape: string }[] = []
  for (const list of fold.trainLists) {
    if (list.source !== 'faker' || !locales.has(list.locale) || list.given.length === 0 || list.surnames.length < 2) continue
    for (let i = 0; i < 12; i++) {
      const g = list.given[Math.floor(r() * list.given.length)]!, a = list.surnames[Math.floor(r() * list.surnames.length)]!, b = list.surnames[Math.floor(r() * list.surnames.length)]!
      const words = `${g} ${a} ${b}`.split(/[\s-]+/).map(foldToken)
      if (scriptOfName(g + a + b) !== 'latin' || words.some((w) => testWords.has(w))) continue
      for (const w of words) exclude.add(w)
      for (const shape of SHAPES) items.push({ ...renderShape(shape, g, `${a} ${b}`), shape })
    }
  }
  return { items, lexicon: asNameLexicon(buildLexicon(fold.trainLists.filter((l) => !(l.source === 'faker' && locales.has(l.locale))), exclude)) }
})
for (const cuts of process.argv.slice(2)) {
  const saved = { ...MODEL_CUTS }
  for (const kv of cuts.split(',')) { const [k, v] = kv.split('='); (MODEL_CUTS as Record<string, number>)[k!] = Number(v) }
  let tp = 0, n = 0, wrong = 0
  for (const s of sets) for (const p of s.items) {
    if (['f.last', 'flast', 'firstlast'].includes(p.shape)) continue
    const f = detectNames(p.text, s.lexicon); n++
    const hit = f.some((x) => x.start === p.span[0] && x.end === p.span[1]); if (hit) tp++
    wrong += f.filter((x) => !(x.start === p.span[0] && x.end === p.span[1])).length
  }
  Object.assign(MODEL_CUTS, saved)
  console.log(`${cuts}: multi-part R ${(tp / n).toFixed(3)} (${n}) wrong spans ${wrong} P ${(tp / (tp + wrong)).toFixed(3)}`)
}

// Dev aid: compares variants of the unknown-token model on validation data only (scripts/
// name-dev-validation.ts). Positives: words of the validation names that the validation lexicon
// does not know (what the model judges); negatives: unknown words of the validation and tuning
// negatives. Prints AUC and the share of names above the score that 5% / 10% / 20% of negatives reach.
//   npx tsx scripts/name-model-dev.ts [variant...]
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { foldToken } from '../pii/fold-token.ts'
import { nameLikelihood, trainNameModel } from '../pii/name-model.ts'
import { buildLexicon } from './name-lexicon-builder.ts'
import { buildFolds, buildNegatives } from '../test/pii/corpus/heldout-names.ts'
import { validationNegativePhrases, validationSplit } from './name-dev-validation.ts'

const LATIN = /^[a-z']{3,}$/
interface Data { names: string[]; words: string[]; pos: string[]; neg: string[] }
function data(): Data[] {
  const cache = '/tmp/callmask-name-model-dev.json'
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as Data[]
  const folds = buildFolds()
  const testWords = new Set([...folds[0]!.exclude, ...folds[1]!.exclude])
  const negPhrases = [...validationNegativePhrases(), ...buildNegatives().filter((n) => n.part === 'tuning' && n.shape === 'First Last').map((n) => n.text)]
  const out = folds.map((fold) => {
    const { items, exclude } = validationSplit(fold, testWords)
    let names: string[] = [], words: string[] = []
    const b = buildLexicon(fold.trainLists, exclude, (n, w) => { names = [...n]; words = [...w]; return trainNameModel([], [], 0) })
    const known = (w: string) => b.given.has(w) || b.surnames.has(w) || b.names.has(w) || b.common.has(w) || b.foreignWords.has(w)
    const unknown = (text: string) => text.split(/[\s,\-]+/).map(foldToken).filter((w) => LATIN.test(w) && /[aeiouy]/.test(w) && !known(w))
    const pos = [...new Set(items.filter((x) => x.shape === 'First Last').flatMap((x) => unknown(x.text)))]
    const neg = [...new Set(negPhrases.flatMap(unknown))]
    return { names, words, pos, neg }
  })
  writeFileSync(cache, JSON.stringify(out))
  return out
}

export function report(label: string, scoreOf: (d: Data) => (w: string) => number): void {
  const cells: string[] = []
  for (const d of data()) {
    const s = scoreOf(d)
    const ps = d.pos.map(s).sort((a, b) => a - b)
    const ns = d.neg.map(s).sort((a, b) => b - a)
    let auc = 0
    let k = 0
    for (const p of ps) { while (k < ns.length && ns[ns.length - 1 - k]! < p) k++; auc += k }
    auc /= ps.length * ns.length
    const at = (q: number) => { const t = ns[Math.floor(q * ns.length)]!; return (ps.filter((p) => p > t).length / ps.length).toFixed(3) }
    const above = (t: number) => `${(ps.filter((p) => p >= t).length / ps.length).toFixed(2)}/${(ns.filter((n) => n >= t).length / ns.length).toFixed(2)}`
    cells.push(`AUC ${auc.toFixed(3)} R@5% ${at(0.05)} R@10% ${at(0.1)} R@20% ${at(0.2)} >=0 ${above(0)} >=2 ${above(2)} (${ps.length}/${ns.length})`)
  }
  console.log(`${label.padEnd(24)} ${cells.join(' | ')}`)
}

if (process.argv[1]?.endsWith('name-model-dev.ts')) {
  const d = data()
  console.log('sizes', d.map((x) => `${x.names.length} names ${x.words.length} words ${x.pos.length} pos ${x.neg.length} neg`))
  report('baseline', (x) => { const m = trainNameModel(x.names, x.words); return (w) => nameLikelihood(m, w) })
}

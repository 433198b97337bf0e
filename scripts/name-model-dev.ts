// Dev aid: compares variants of the unknown-token model on validation data only (scripts/
// name-dev-validation.ts). Positives: words of the validation names that the validation lexicon
// does not know (what the model judges); negatives: unknown words of the validation and tuning
// negatives (variants: VARIANTS below; `weakWeight` weighs the names only the any-role lists know). Prints AUC and the share of names above the score that 5% / 10% / 20% of negatives reach.
//   npx tsx scripts/name-model-dev.ts [variant...]
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { foldToken } from '../pii/fold-token.ts'
import { nameLikelihood, trainNameModel } from '../pii/name-model.ts'
import type { TrainOptions } from '../pii/name-model.ts'
import { buildLexicon } from './name-lexicon-builder.ts'
import { buildFolds, buildNegatives } from '../test/pii/corpus/heldout-names.ts'
import { validationNegativePhrases, validationSplit } from './name-dev-validation.ts'

const LATIN = /^[a-z']{3,}$/
interface Data { names: string[]; words: string[]; anyRole: string[]; pos: string[]; neg: string[] }
function data(): Data[] {
  const cache = '/tmp/callmask-name-model-dev-2.json'
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as Data[]
  const folds = buildFolds()
  const testWords = new Set([...folds[0]!.exclude, ...folds[1]!.exclude])
  const negPhrases = [...validationNegativePhrases(), ...buildNegatives().filter((n) => n.part === 'tuning' && n.shape === 'First Last').map((n) => n.text)]
  const out = folds.map((fold) => {
    const { items, exclude } = validationSplit(fold, testWords)
    let names: string[] = [], words: string[] = [], anyRole: string[] = []
    const b = buildLexicon(fold.trainLists, exclude, (n, w, a) => { names = [...n]; words = [...w]; anyRole = [...a]; return trainNameModel([], [], { epochs: 0 }) })
    const known = (w: string) => b.given.has(w) || b.surnames.has(w) || b.names.has(w) || b.common.has(w) || b.foreignWords.has(w)
    const unknown = (text: string) => text.split(/[\s,\-]+/).map(foldToken).filter((w) => LATIN.test(w) && /[aeiouy]/.test(w) && !known(w))
    const pos = [...new Set(items.filter((x) => x.shape === 'First Last').flatMap((x) => unknown(x.text)))]
    const neg = [...new Set(negPhrases.flatMap(unknown))]
    return { names, words, anyRole, pos, neg }
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

/** Variants by name (pass names on the command line; none = all). */
export const VARIANTS: Record<string, TrainOptions> = {
  shipped: {},
  'round2 (17 bits, 2-5, SGD, any-role names weight 1)': { optimizer: 'sgd', bits: 17, maxN: 5, weakWeight: 1 },
  'sgd-19-6-any1': { optimizer: 'sgd', bits: 19, maxN: 6, weakWeight: 1 },
  'adagrad-19-6-any1': { optimizer: 'adagrad', bits: 19, maxN: 6, weakWeight: 1 },
  'sgd-19-6-any0': { optimizer: 'sgd', bits: 19, maxN: 6 },
  'sgd-19-6-any0.1': { optimizer: 'sgd', bits: 19, maxN: 6, weakWeight: 0.1 },
  'sgd-19-6-any0.3': { optimizer: 'sgd', bits: 19, maxN: 6, weakWeight: 0.3 },
  'adagrad-19-6-any0': { optimizer: 'adagrad', bits: 19, maxN: 6 },
  'adagrad-19-6-any0.1': { optimizer: 'adagrad', bits: 19, maxN: 6, weakWeight: 0.1 },
  'adagrad-19-6-any0.3': { optimizer: 'adagrad', bits: 19, maxN: 6, weakWeight: 0.3 },
  'adagrad-17-5-any0': { optimizer: 'adagrad', bits: 17, maxN: 5 },
  'adagrad-18-6-any0': { optimizer: 'adagrad', bits: 18, maxN: 6 },
  'adagrad-19-6-any0-r0.1': { optimizer: 'adagrad', bits: 19, maxN: 6, rate: 0.1 },
  'adagrad-19-7-any0': { optimizer: 'adagrad', bits: 19, maxN: 7 },
  'sgd-17-5-any0': { optimizer: 'sgd', bits: 17, maxN: 5 },
  // First batch (any-role names as full positives, as in round 2):
  'adagrad-17-5-any1': { optimizer: 'adagrad', weakWeight: 1 },
  'adagrad-19-6-r0.1-any1': { optimizer: 'adagrad', bits: 19, maxN: 6, rate: 0.1, weakWeight: 1 },
  'adagrad-19-6-r1-any1': { optimizer: 'adagrad', bits: 19, maxN: 6, rate: 1, weakWeight: 1 },
  'adagrad-18-6-any1': { optimizer: 'adagrad', bits: 18, maxN: 6, weakWeight: 1 },
  'adagrad-19-5-any1': { optimizer: 'adagrad', bits: 19, maxN: 5, weakWeight: 1 },
  'adagrad-20-6-any1': { optimizer: 'adagrad', bits: 20, maxN: 6, weakWeight: 1 },
  'adagrad-19-7-any1': { optimizer: 'adagrad', bits: 19, maxN: 7, weakWeight: 1 },
  'adagrad-19-6-e3-any1': { optimizer: 'adagrad', bits: 19, maxN: 6, epochs: 3, weakWeight: 1 },
  'adagrad-19-6-e10-any1': { optimizer: 'adagrad', bits: 19, maxN: 6, epochs: 10, weakWeight: 1 },
  'sgd-19-7-any1': { optimizer: 'sgd', bits: 19, maxN: 7, weakWeight: 1 },
  'sgd-20-6-any1': { optimizer: 'sgd', bits: 20, maxN: 6, weakWeight: 1 },
  'sgd-18-6-any1': { optimizer: 'sgd', bits: 18, maxN: 6, weakWeight: 1 },
  'sgd-19-6-e10-any1': { optimizer: 'sgd', bits: 19, maxN: 6, epochs: 10, weakWeight: 1 },
  'sgd-19-6-r0.1-any1': { optimizer: 'sgd', bits: 19, maxN: 6, rate: 0.1, weakWeight: 1 },
  'sgd-19-6-r0.4-any1': { optimizer: 'sgd', bits: 19, maxN: 6, rate: 0.4, weakWeight: 1 },
  'adagrad-19-6-r0.05-any1': { optimizer: 'adagrad', bits: 19, maxN: 6, rate: 0.05, weakWeight: 1 },
  'adagrad-19-7-r0.1-any1': { optimizer: 'adagrad', bits: 19, maxN: 7, rate: 0.1, weakWeight: 1 },
}

if (process.argv[1]?.endsWith('name-model-dev.ts')) {
  const d = data()
  console.log('sizes', d.map((x) => `${x.names.length} names ${x.anyRole.length} any-role ${x.words.length} words ${x.pos.length} pos ${x.neg.length} neg`))
  const wanted = process.argv.slice(2)
  for (const name of wanted.length > 0 ? wanted : Object.keys(VARIANTS)) {
    const options = VARIANTS[name]
    if (options === undefined) throw new Error(`unknown variant ${name}`)
    report(name, (x) => { const m = trainNameModel(x.names, x.words, options, x.anyRole); return (w) => nameLikelihood(m, w) })
  }
}

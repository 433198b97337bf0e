// Dev-time look at the unknown-token model: how well it separates the words of
// held-out test names (fold 0 and 1 of test/pii/corpus/heldout-names.ts, left
// out of lexicon and model) from the words of the TUNING negatives. Prints the
// share of each class above a range of thresholds. Never reads the held-out negatives.
//   npx tsx scripts/name-model-eval.ts
import { foldToken } from '../pii/fold-token.ts'
import { nameLikelihood } from '../pii/name-model.ts'
import { buildLexicon } from './name-lexicon-builder.ts'
import { buildFolds, buildNegatives } from '../test/pii/corpus/heldout-names.ts'

const LATIN = /^[a-z']{3,}$/
for (const fold of buildFolds()) {
  const b = buildLexicon(fold.trainLists, fold.exclude)
  const known = (w: string) => b.given.has(w) || b.surnames.has(w) || b.names.has(w) || b.common.has(w)
  const pos = [...fold.exclude].filter((w) => LATIN.test(w) && !known(w))
  const negWords = new Set<string>()
  for (const n of buildNegatives()) if (n.part === 'tuning' && n.shape === 'First Last') for (const w of n.text.split(/[\s,]+/)) { const f = foldToken(w); if (LATIN.test(f) && !known(f)) negWords.add(f) }
  const neg = [...negWords]
  const ps = pos.map((w) => nameLikelihood(b.model, w))
  const ns = neg.map((w) => nameLikelihood(b.model, w))
  console.log(`fold ${fold.k}: ${pos.length} unknown name words, ${neg.length} unknown tuning-negative words`)
  let auc = 0
  for (const p of ps) for (const n of ns) auc += p > n ? 1 : p === n ? 0.5 : 0
  console.log(`  AUC ${(auc / ps.length / ns.length).toFixed(3)}`)
  for (const t of [-2, -1, 0, 1, 2, 3, 4, 5]) {
    console.log(`  >= ${t}: names ${(ps.filter((s) => s >= t).length / ps.length).toFixed(3)}  words ${(ns.filter((s) => s >= t).length / ns.length).toFixed(3)}`)
  }
  const top = neg.map((w, i) => [w, ns[i]!] as const).sort((a, b2) => b2[1] - a[1]).slice(0, 30)
  console.log('  most name-like negatives:', top.map(([w, s]) => `${w}:${s.toFixed(2)}`).join(' '))
}
{
  const fold = buildFolds()[0]!
  const b = buildLexicon(fold.trainLists, fold.exclude)
  const dict = (await import('./name-sources.ts')).englishDictionary().filter((w) => LATIN.test(w) && !b.given.has(w) && !b.surnames.has(w) && !b.names.has(w))
  for (const t of [0, 1, 2, 3]) console.log(`dictionary words (training) scoring >= ${t}: ${(dict.filter((w) => nameLikelihood(b.model, w) >= t).length / dict.length).toFixed(4)}`)
}

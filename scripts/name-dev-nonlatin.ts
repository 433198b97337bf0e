// Development aid (not a test): held-out non-Latin recall per script (counts only, no names
// printed) and the tuning-part negatives flagged, listed; held-out negatives counted only.
import { detectNames } from '../pii/name-detector.ts'
import { asNameLexicon, buildLexicon } from './name-lexicon-builder.ts'
import { buildFolds, buildNegatives } from '../test/pii/corpus/heldout-names.ts'

const negatives = buildNegatives().filter((n) => n.script !== 'latin')
const folds = buildFolds()
const tally = new Map<string, { tp: number; fn: number; fp: number }>()
const tuningFlags: string[] = []
let heldOutFlagged = 0, heldOutItems = 0
for (const fold of folds) {
  const lexicon = asNameLexicon(buildLexicon(fold.trainLists, fold.exclude))
  for (const p of fold.positives.filter((x) => x.script !== 'latin')) {
    const t = tally.get(p.script) ?? { tp: 0, fn: 0, fp: 0 }
    const found = detectNames(p.text, lexicon)
    const hit = found.some((f) => f.start === p.span![0] && f.end === p.span![1])
    if (hit) t.tp++; else t.fn++
    tally.set(p.script, t)
  }
  for (const n of negatives) {
    const found = detectNames(n.text, lexicon)
    if (n.part === 'tuning') { if (found.length > 0 && fold.k === 0) tuningFlags.push(`${n.script}: ${n.text}`) }
    else { heldOutItems++; if (found.length > 0) heldOutFlagged++ }
  }
}
for (const [k, t] of [...tally].sort()) console.log(k, 'TP', t.tp, 'FN', t.fn, 'R', (t.tp / (t.tp + t.fn)).toFixed(3))
console.log('tuning flags (fold 0):', tuningFlags)
console.log('held-out non-Latin negatives flagged', heldOutFlagged, '/', heldOutItems)

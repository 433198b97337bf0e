import { detectNames } from './processor/pii/name-detector.ts'
import { loadNameLexicon } from './processor/pii/names-lexicon.ts'
import { nameLikelihood } from './processor/pii/name-model.ts'
const l = loadNameLexicon()
for (const s of process.argv.slice(2)) {
  console.log(s, JSON.stringify(detectNames(s).map((x) => s.slice(x.start, x.end))))
  for (const w of s.toLowerCase().split(/[^a-z]+/).filter(Boolean)) console.log('  ', w, { given: l.given.has(w), sur: l.surnames?.has(w), names: l.names.has(w), common: l.common.has(w), m: +nameLikelihood(l.model!, w).toFixed(2) })
}

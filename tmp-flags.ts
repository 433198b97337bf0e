import { detectNames } from './processor/pii/name-detector.ts'
import { buildNegatives } from './test/pii/corpus/heldout-names.ts'
const out: string[] = []
for (const n of buildNegatives()) if (n.part === 'tuning' && n.shape === 'First Last' && detectNames(n.text).length) out.push(n.text)
console.log(out.length, out.join(' | '))

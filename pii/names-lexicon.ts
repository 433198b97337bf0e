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
  readonly foreignWords?: { has(word: string): boolean }
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
    ...(file.foreignWords === undefined ? {} : { foreignWords: decodeHashed(file.foreignWords) }),
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

/**
 * A front-coded list kept as 32-bit hashes in an open-addressing table instead of a Set of
 * strings: the ~160,000 everyday words of other languages cost 2 MB and ~40 ms to load
 * instead of ~9 MB and ~100 ms. A word whose hash collides with a listed one reads as listed:
 * about n / 2^32 = 0.004% of look-ups, and only ever toward "everyday word".
 */
export function decodeHashed(text: string): { has(word: string): boolean } {
  let count = 0
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++
  let size = 1
  while (size < count * 2 + 2) size <<= 1
  const table = new Int32Array(size)
  const mask = size - 1
  const insert = (h: number) => {
    for (let k = h & mask; ; k = (k + 1) & mask) {
      if (table[k] === 0) { table[k] = h; return }
      if (table[k] === h) return
    }
  }
  // No string is built: FNV-1a runs left to right, so the hash of the prefix a line shares
  // with the previous word is the state saved at that length.
  const prefix: number[] = [FNV_OFFSET]
  for (let i = 0; i < text.length; ) {
    let end = text.indexOf('\n', i)
    if (end === -1) end = text.length
    if (end > i) {
      const shared = parseInt(text.charAt(i), 36)
      let h = prefix[shared]!
      let len = shared
      for (let c = i + 1; c < end; c++) { h = Math.imul(h ^ text.charCodeAt(c), FNV_PRIME); prefix[++len] = h }
      insert(h === 0 ? 1 : h)
    }
    i = end + 1
  }
  return {
    has(word: string): boolean {
      const h = wordHash(word)
      for (let k = h & mask; ; k = (k + 1) & mask) {
        const v = table[k]!
        if (v === h) return true
        if (v === 0) return false
      }
    },
  }
}

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193
/** FNV-1a over UTF-16 code units, never 0 (0 marks an empty cell). */
function wordHash(word: string): number {
  let h = FNV_OFFSET
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), FNV_PRIME)
  return h === 0 ? 1 : h
}

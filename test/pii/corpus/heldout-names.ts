// Held-out name evaluation. Names come from sources the shipped detector's
// tests never tuned on, split by locale group and then filtered by name:
//
//   fold k test names  = faker locales of group k  +  chance.js locales of group k
//   fold k lexicon     = stdlib + cspell + humannames + faker locales of the other group,
//                        MINUS every word of every fold-k test name (so no test name is in
//                        the lexicon or in the n-gram model's training names)
//
// Groups are by language (de, de_AT, de_CH together), alternating over the sorted
// language codes. chance.js never trains anything here. Each test name is written
// in ten identifier shapes; negatives (meeting and room names, brands, places,
// products, ids, dates, versions, non-Latin everyday-word pairs) are written in
// the same shapes, so precision per shape is measured against the same shape.
import { allLocales, Faker } from '@faker-js/faker'
import { foldToken } from '../../../pii/fold-token.ts'
import { mulberry32 } from '../../../bench/identifier-mix.ts'
import { chanceLists, commonWords, cspellNames, fakerLists, humanNames, stdlibGiven } from '../../../scripts/name-sources.ts'
import type { NameList } from '../../../scripts/name-sources.ts'
import { heldOutIdStrings, heldOutNegativePhrases } from './heldout-negatives.ts'
import { ROOM_PHRASES, UNSEEN_ROOM_NAMES } from './room-names.ts'

export const SHAPES = ['First Last', 'first.last', 'first_last', 'FirstLast', 'FIRST LAST', 'last-first-42', 'Last, First', 'f.last', 'flast', 'firstlast'] as const
export type Shape = typeof SHAPES[number] | 'native' | 'native spaced' | 'id'
export type NameScript = 'latin' | 'cyrillic' | 'greek' | 'arabic' | 'hebrew' | 'devanagari' | 'thai' | 'armenian' | 'georgian' | 'han' | 'kana' | 'hangul' | 'other'

/** Negatives come in two parts: `tuning` (read while tuning the rules) and `held-out` (counted only, never read one by one). */
export type NegativePart = 'tuning' | 'held-out'
export interface HeldOutItem { text: string; shape: Shape; script: NameScript; source: string; locale: string; span: [number, number] | null; part?: NegativePart; group?: string }
export interface Fold { k: number; trainLists: NameList[]; baselineLists: NameList[]; exclude: Set<string>; positives: HeldOutItem[] }

export function scriptOfName(s: string): NameScript {
  if (/[\p{sc=Hiragana}\p{sc=Katakana}]/u.test(s)) return 'kana'
  if (/\p{sc=Han}/u.test(s)) return 'han'
  if (/\p{sc=Hangul}/u.test(s)) return 'hangul'
  if (/\p{sc=Cyrillic}/u.test(s)) return 'cyrillic'
  if (/\p{sc=Greek}/u.test(s)) return 'greek'
  if (/\p{sc=Arabic}/u.test(s)) return 'arabic'
  if (/\p{sc=Hebrew}/u.test(s)) return 'hebrew'
  if (/\p{sc=Devanagari}/u.test(s)) return 'devanagari'
  if (/\p{sc=Thai}/u.test(s)) return 'thai'
  if (/\p{sc=Armenian}/u.test(s)) return 'armenian'
  if (/\p{sc=Georgian}/u.test(s)) return 'georgian'
  if (/^[\p{sc=Latin}\s'’\-.]+$/u.test(s)) return 'latin'
  return 'other'
}

const language = (locale: string) => locale.split('_')[0]!
function groupOf(locales: readonly string[]): Map<string, number> {
  const langs = [...new Set(locales.map(language))].sort()
  const out = new Map<string, number>()
  for (const l of locales) out.set(l, langs.indexOf(language(l)) % 2)
  return out
}

const PAIRS_PER_LOCALE = 24
const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1)
const ascii = (w: string) => foldToken(w).replace(/[^a-z']/g, '')
function parts(name: string): string[] { return name.split(/[\s\-]+/).filter((p) => p !== '') }

/** The name written in one shape, and the span that must be found (the whole name, counters excluded). */
export function renderShape(shape: typeof SHAPES[number], given: string, surname: string): { text: string; span: [number, number] } {
  const g = parts(given)
  const s = parts(surname)
  const gl = g.map(ascii)
  const sl = s.map(ascii)
  const whole = (text: string) => ({ text, span: [0, text.length] as [number, number] })
  switch (shape) {
    case 'First Last': return whole(`${given} ${surname}`)
    case 'first.last': return whole([...gl, ...sl].join('.'))
    case 'first_last': return whole([...gl, ...sl].join('_'))
    case 'FirstLast': return whole([...g, ...s].map(cap).join('').replace(/['’]/g, ''))
    case 'FIRST LAST': return whole(`${given} ${surname}`.toUpperCase())
    case 'last-first-42': { const t = [...sl, ...gl].join('-'); return { text: `${t}-42`, span: [0, t.length] } }
    case 'Last, First': return whole(`${surname}, ${given}`)
    case 'f.last': return whole(`${gl[0]!.charAt(0)}.${sl.join('')}`)
    case 'flast': return whole(`${gl[0]!.charAt(0)}${sl.join('')}`)
    case 'firstlast': return whole([...gl, ...sl].join(''))
  }
}

/** A negative phrase in the same shapes (`Apple Park` -> `apple.park`, `ApplePark`, `a.park`, `applepark`...). */
export function renderNegative(shape: typeof SHAPES[number], phrase: string): string {
  const w = phrase.split(/[\s\-]+/).filter((x) => x !== '')
  const l = w.map((x) => x.toLowerCase())
  switch (shape) {
    case 'First Last': return w.join(' ')
    case 'first.last': return l.join('.')
    case 'first_last': return l.join('_')
    case 'FirstLast': return w.map(cap).join('')
    case 'FIRST LAST': return phrase.toUpperCase()
    case 'last-first-42': return `${l.join('-')}-42`
    case 'Last, First': return w.length >= 2 ? `${w[0]}, ${w.slice(1).join(' ')}` : w.join(' ')
    case 'f.last': return w.length >= 2 ? `${l[0]!.charAt(0)}.${l.slice(1).join('')}` : l.join('')
    case 'flast': return w.length >= 2 ? `${l[0]!.charAt(0)}${l.slice(1).join('')}` : l.join('')
    case 'firstlast': return l.join('')
  }
}

const BRANDS = ['Coca Cola', 'Pepsi Max', 'General Electric', 'General Motors', 'Johnson Controls', 'American Express', 'Bank of America',
  'Deutsche Bank', 'Deutsche Telekom', 'British Airways', 'Air France', 'Royal Dutch Shell', 'Unilever Foods', 'Nestle Waters', 'Philip Morris',
  'Yves Saint Laurent',
  'Kate Spade',
  'Alfa Romeo', 'Land Rover', 'Range Rover', 'Volkswagen Golf',
  'Opel Astra', 'Skoda Octavia', 'Seat Leon', 'Renault Clio', 'Peugeot Partner', 'Citroen Picasso', 'Fiat Panda', 'Lancia Delta',
  'Nissan Leaf', 'Mazda Miata', 'Subaru Forester', 'Kia Sorento', 'Hyundai Santa Fe', 'Volvo Amazon', 'Saab Gripen', 'Lockheed Martin',
  'Boeing Dreamliner', 'Airbus Beluga', 'Adobe Premiere', 'Oracle Cloud', 'Salesforce Einstein', 'Amazon Alexa', 'Google Gemini',
  'Microsoft Teams', 'Zoom Rooms', 'Cisco Webex', 'Slack Huddle', 'Apple Siri', 'Samsung Galaxy', 'Nokia Lumia', 'Sony Bravia',
  'Philips Hue', 'Dyson Airwrap', 'Bosch Siemens', 'Miele Kitchen', 'Lego Friends', 'Hot Wheels', 'Barbie Dreamhouse', 'Jack Daniels',
  'Captain Crunch', 'Aunt Bettys', 'Uncle Toms', 'Marie Callender',
  'Wendys Burgers', 'Carls Junior', 'Arbys Roast', 'Dairy Queen', 'Burger King', 'Pizza Hut', 'Domino Effect']

function placePhrases(rand: () => number): string[] {
  const out: string[] = []
  const suffixes = ['office', 'hub', 'Room', 'campus', 'offsite', 'sync', 'team', 'Warehouse']
  for (const locale of ['en', 'de', 'fr', 'es', 'it', 'pl', 'cs_CZ']) {
    const cities = ((allLocales as Record<string, { location?: { city_name?: string[] } }>)[locale]?.location?.city_name ?? []).filter((c) => !/\s/.test(c))
    for (let i = 0; i < 30 && cities.length > 0; i++) {
      const a = cities[Math.floor(rand() * cities.length)]!
      const b = cities[Math.floor(rand() * cities.length)]!
      out.push(i % 2 === 0 ? `${a} ${suffixes[i % suffixes.length]!}` : `${a} ${b}`)
    }
  }
  const countries = (allLocales.en.location?.country ?? []).filter((c) => !/\s/.test(c))
  for (let i = 0; i < 40; i++) out.push(`${countries[Math.floor(rand() * countries.length)]!} ${suffixes[i % suffixes.length]!}`)
  return out
}

function productPhrases(): string[] {
  const f = new Faker({ locale: [allLocales.en, allLocales.base] })
  f.seed(7)
  return Array.from({ length: 150 }, () => f.commerce.productName())
}

/** Everyday-word pairs per non-Latin script: `Доброе Утро`-style titles; top words only. */
function nonLatinNegatives(rand: () => number): HeldOutItem[] {
  const out: HeldOutItem[] = []
  const langs: Record<string, NameScript> = { russian: 'cyrillic', ukrainian: 'cyrillic', greek: 'greek', arabic: 'arabic', farsi: 'arabic', hebrew: 'hebrew', hindi: 'devanagari', thai: 'thai', japanese: 'kana', chinese: 'han', korean: 'hangul' }
  for (const [lang, script] of Object.entries(langs)) {
    const words = commonWords(lang, 1000).filter((w) => scriptOfName(w) === script || (script === 'kana' && scriptOfName(w) === 'han'))
    for (let i = 0; i < 120; i++) {
      const a = words[Math.floor(rand() * words.length)]!
      const b = words[Math.floor(rand() * words.length)]!
      const cased = script === 'cyrillic' || script === 'greek'
      const text = script === 'han' || script === 'kana' || script === 'hangul' ? a + b : cased ? `${cap(a)} ${cap(b)}` : `${a} ${b}`
      out.push({ text, shape: 'native', script: scriptOfName(text), source: 'most-common-words', locale: lang, span: null, part: i % 2 === 0 ? 'tuning' : 'held-out', group: 'non-latin words' })
    }
  }
  const rooms = ['会议室', '周会', '产品评审', '技术分享会', '全体大会', '週次定例', '会議室A', '営業会議', '朝会', '주간회의', '회의실', '개발팀', 'Еженедельная планёрка', 'Переговорная', 'Совещание отдела', 'غرفة الاجتماعات', 'ישיבת צוות', 'साप्ताहिक बैठक', 'ห้องประชุม', 'ประชุมทีม',
    '大会议室', '培训室', '销售周会', '第一会議室', '応接室', '全社朝礼', '대회의실', '팀회의', 'Большой зал', 'Планирование спринта', 'Αίθουσα συσκέψεων', 'قاعة التدريب', 'חדר ישיבות', 'बोर्ड रूम', 'ห้องประชุมใหญ่']
  rooms.forEach((text, i) => out.push({ text, shape: 'native', script: scriptOfName(text), source: 'hand', locale: 'room', span: null, part: i < 20 ? 'tuning' : 'held-out', group: 'non-latin rooms' }))
  return out
}

function idNegatives(rand: () => number): HeldOutItem[] {
  const hex = '0123456789abcdef'
  const pick = (a: string, n: number) => Array.from({ length: n }, () => a[Math.floor(rand() * a.length)]).join('')
  const out: string[] = []
  for (let i = 0; i < 200; i++) {
    out.push(`${pick(hex, 8)}-${pick(hex, 4)}-4${pick(hex, 3)}-a${pick(hex, 3)}-${pick(hex, 12)}`, pick(hex, 32), String(Math.floor(rand() * 1e12)))
    const y = 2000 + Math.floor(rand() * 30); const m = 1 + Math.floor(rand() * 12); const d = 1 + Math.floor(rand() * 28)
    out.push(`${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`, `${d}.${m}.${y}`, `v${Math.floor(rand() * 20)}.${Math.floor(rand() * 30)}.${Math.floor(rand() * 99)}`,
      `release-${Math.floor(rand() * 9)}.${Math.floor(rand() * 20)}`, `build_${pick(hex, 7)}`)
  }
  return out.map((text) => ({ text, shape: 'id', script: 'latin', source: 'generated', locale: 'id', span: null, part: 'tuning', group: 'ids' }))
}

/** A phrase in every Latin identifier shape. */
function shaped(phrase: string, part: NegativePart, group: string): HeldOutItem[] {
  return SHAPES.map((shape) => ({ text: renderNegative(shape, phrase), shape, script: 'latin', source: 'negative', locale: 'room', span: null, part, group }))
}

/**
 * Negatives, deterministic: the tuning part (room-names.ts, the brands, places
 * and products above, ids, half of the non-Latin word pairs) and the held-out
 * part (heldout-negatives.ts, its ids, the other half of the word pairs).
 */
export function buildNegatives(): HeldOutItem[] {
  const rand = mulberry32(99)
  const out: HeldOutItem[] = []
  for (const phrase of [...ROOM_PHRASES, ...UNSEEN_ROOM_NAMES]) out.push(...shaped(phrase, 'tuning', 'rooms'))
  for (const phrase of BRANDS) out.push(...shaped(phrase, 'tuning', 'brands'))
  for (const phrase of placePhrases(rand)) out.push(...shaped(phrase, 'tuning', 'places'))
  for (const phrase of productPhrases()) out.push(...shaped(phrase, 'tuning', 'products'))
  out.push(...idNegatives(rand), ...nonLatinNegatives(rand))
  for (const { group, phrase } of heldOutNegativePhrases()) out.push(...shaped(phrase, 'held-out', group))
  for (const text of heldOutIdStrings(mulberry32(2026))) out.push({ text, shape: 'id', script: 'latin', source: 'generated', locale: 'id', span: null, part: 'held-out', group: 'ids' })
  return out
}

export function buildFolds(): Fold[] {
  const faker = fakerLists()
  const chance = chanceLists().filter((l) => l.given.length > 0 && l.surnames.length > 0)
  const fGroup = groupOf(faker.map((l) => l.locale))
  const cGroup = groupOf(chance.map((l) => l.locale))
  const base = [stdlibGiven(), cspellNames(), humanNames()]

  return [0, 1].map((k) => {
    const testLists = [...faker.filter((l) => fGroup.get(l.locale) === k), ...chance.filter((l) => cGroup.get(l.locale) === k)]
    const positives: HeldOutItem[] = []
    const exclude = new Set<string>()
    for (const list of testLists) {
      if (list.given.length === 0 || list.surnames.length === 0) continue
      const r = mulberry32(1000 + k * 100 + positives.length)
      for (let i = 0; i < PAIRS_PER_LOCALE; i++) {
        const given = list.given[Math.floor(r() * list.given.length)]!
        const surname = list.surnames[Math.floor(r() * list.surnames.length)]!
        for (const w of [...parts(given), ...parts(surname)]) exclude.add(foldToken(w))
        const script = scriptOfName(given + surname)
        if (script === 'latin') {
          for (const shape of SHAPES) {
            const { text, span } = renderShape(shape, given, surname)
            positives.push({ text, shape, script, source: list.source, locale: list.locale, span })
          }
        } else if (script === 'han' || script === 'kana' || script === 'hangul') {
          // Native order, surname first; Japanese also with the customary space.
          const native = surname + given
          positives.push({ text: native, shape: 'native', script, source: list.source, locale: list.locale, span: [0, native.length] })
          if (list.locale === 'ja') {
            const spaced = `${surname} ${given}`
            positives.push({ text: spaced, shape: 'native spaced', script, source: list.source, locale: list.locale, span: [0, spaced.length] })
          }
        } else if (script !== 'other') {
          const text = `${given} ${surname}`
          positives.push({ text, shape: 'native', script, source: list.source, locale: list.locale, span: [0, text.length] })
        }
      }
    }
    const trainLists = [...base, ...faker.filter((l) => fGroup.get(l.locale) !== k)]
    return { k, trainLists, baselineLists: base, exclude, positives }
  })
}

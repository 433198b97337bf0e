// Names in scripts the Latin lexicons do not cover. Heuristics, kept simple:
// - Cyrillic, Greek: two or three adjacent capitalised words of the same script,
//   not all of them everyday words (`Иван Петров`, `Γιώργος Παπαδόπουλος`;
//   `Мария` alone is frequent in subtitles, `Иванова` is not).
// - Arabic, Hebrew, Indic (no letter case): two or three adjacent words of the
//   same script, at least one of them not an everyday word (`محمد علي`).
// - Han: a run of 2-4 characters (or two runs split by one space) that starts
//   with a frequent Chinese or Japanese surname (`山田太郎`, `山田 太郎`, `王伟`).
// - Han + kana: a Han surname from the table followed by a kana given name
//   (`三上あゆみ`), and any two Han/kana words split by one space (`三上 葵`,
//   `小川 さくら`): the space between a 1-3 character surname and a 1-4 character
//   given name is the shape evidence, everyday words excepted.
// - Hangul, native order: a family name (one syllable from the census table, or a
//   compound one: `남궁`, `제갈`) and a two-syllable given name (`김민준`, `남궁민수`; a
//   compound family name may take a one-syllable given name). Not an everyday word, no
//   syllable no given name holds (endings, particles), and not two everyday words glued
//   at any other place than after the family name (`하지밤` = 하지 + 밤).
// - Armenian (cased) like Cyrillic; Georgian and Thai (caseless) like Arabic;
//   a Persian name keeps its zero-width non-joiner inside the word.
import type { NameLexicon } from './names-lexicon.ts'
import { HAN_SURNAMES, HANGUL_COMPOUND_SURNAMES, HANGUL_NON_NAME_SYLLABLES, HANGUL_SURNAMES } from './name-vocabulary.ts'
import type { PiiSpan } from './span.ts'
import type { WordToken } from './word-tokenizer.ts'

const HAN_RE = /(?<![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}])\p{sc=Han}{1,3}(?: ?\p{sc=Han}{1,3})?(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}])/gu
const HANGUL_RE = /(?<!\p{sc=Hangul})\p{sc=Hangul}{3,4}(?!\p{sc=Hangul})/gu
const HAN_KANA_RE = /(?<![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}])(\p{sc=Han}{1,3})(?:( )([\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}ー]{1,4})|([\p{sc=Hiragana}\p{sc=Katakana}ー]{2,4}))(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}])/gu

/** Chinese function and everyday-verb characters that no personal name holds (`谢谢哪儿`, `金做到`). */
const HAN_FUNCTION_RE = /[的了是不我你他她这這那哪儿兒么麼吗嗎呢吧们們到做说說要没沒就都还還很在个個来來去过過着著看想会會]/

/** Last characters of Japanese given names (子 ko, 郎 rō, 也 ya, 美 mi...), from public naming guides. */
const JA_GIVEN_ENDINGS: ReadonlySet<string> = new Set([...'子郎也美香樹介彦夫雄男恵代奈菜乃輝翔斗真誠隆進優治浩博之湊蔵吾衛弥'])

export function detectNonLatinNames(text: string, tokens: readonly WordToken[], lexicon: NameLexicon): PiiSpan[] {
  const spans: PiiSpan[] = []
  findWordPairs(tokens, lexicon, spans)
  if (/[\u3400-\u9fff]/.test(text)) { findHan(text, lexicon, spans); findHanKana(text, lexicon, spans) }
  if (/[\uac00-\ud7af]/.test(text)) findHangul(text, lexicon, spans)
  return spans
}

function findWordPairs(tokens: readonly WordToken[], lexicon: NameLexicon, spans: PiiSpan[]): void {
  for (let i = 0; i < tokens.length; i++) {
    const first = tokens[i]!
    const cased = first.script === 'cyrillic' || first.script === 'greek' || first.script === 'armenian'
    const caseless = first.script === 'arabic' || first.script === 'hebrew' || first.script === 'indic'
      || first.script === 'thai' || first.script === 'georgian'
    if (!(cased || caseless) || !fits(first, cased)) continue
    let j = i
    while (j + 1 < tokens.length && j - i < 3 && !tokens[j + 1]!.comma && tokens[j + 1]!.joinedToPrevious
      && tokens[j + 1]!.script === first.script && (fits(tokens[j + 1]!, cased) || isThaiParticle(tokens, j + 1))) j++
    if (j === i) continue
    const words = tokens.slice(i, j + 1)
    const everyday = words.filter((w) => lexicon.common.has(w.folded)).length
    if (everyday === words.length) continue // `Доброе Утро`: two everyday words, a greeting
    spans.push({ kind: 'name', start: first.start, end: tokens[j]!.end, normalised: words.map((w) => w.folded).join(' ') })
    i = j
  }
}

/** `ณ` (na) inside a Thai surname (`ณ นคร`, `ณ อยุธยา`): one letter, followed by the rest of the name. */
function isThaiParticle(tokens: readonly WordToken[], k: number): boolean {
  return tokens[k]!.folded === 'ณ' && k + 1 < tokens.length && tokens[k + 1]!.joinedToPrevious && tokens[k + 1]!.script === 'thai'
}

function fits(token: WordToken, cased: boolean): boolean {
  return token.folded.length >= 2 && !token.opaque && (!cased || token.titleCase)
}

function findHan(text: string, lexicon: NameLexicon, spans: PiiSpan[]): void {
  HAN_RE.lastIndex = 0
  for (let m = HAN_RE.exec(text); m !== null; m = HAN_RE.exec(text)) {
    const written = m[0]
    const compact = written.replace(' ', '')
    if (compact.length < 2 || compact.length > 4 || lexicon.common.has(compact) || HAN_FUNCTION_RE.test(compact)) continue
    const spaced = written.indexOf(' ')
    const surnameOk = spaced > 0
      ? HAN_SURNAMES.has(written.slice(0, spaced))
      : HAN_SURNAMES.has(compact.slice(0, 1)) || HAN_SURNAMES.has(compact.slice(0, 2)) || HAN_SURNAMES.has(compact.slice(0, 3))
    // No surname from the tables: a Japanese name of three or four characters still ends in a
    // given-name character (`-子`, `-郎`, `-也`), two surname characters before it.
    const japaneseGiven = spaced < 0 && compact.length >= 3 && JA_GIVEN_ENDINGS.has(compact.charAt(compact.length - 1)) && !lexicon.common.has(compact.slice(0, 2))
    if (surnameOk || japaneseGiven) spans.push({ kind: 'name', start: m.index, end: m.index + written.length, normalised: compact })
  }
}

function findHanKana(text: string, lexicon: NameLexicon, spans: PiiSpan[]): void {
  HAN_KANA_RE.lastIndex = 0
  for (let m = HAN_KANA_RE.exec(text); m !== null; m = HAN_KANA_RE.exec(text)) {
    const surname = m[1]!
    const given = m[3] ?? m[4]!
    const start = m.index
    const end = start + m[0].length
    if (spans.some((s) => s.start <= start && end <= s.end)) continue
    if (lexicon.common.has(surname + given) || (lexicon.common.has(surname) && lexicon.common.has(given))) continue
    // Unspaced: only after a surname from the table (`三上あゆみ` needs 三上 known).
    if (m[2] === undefined && !HAN_SURNAMES.has(surname)) continue
    // The whole name wins over a Han-only part of it found before (`小川` in `小川 さくら`).
    for (let k = spans.length - 1; k >= 0; k--) if (start <= spans[k]!.start && spans[k]!.end <= end) spans.splice(k, 1)
    spans.push({ kind: 'name', start, end, normalised: surname + given })
  }
  spans.sort((a, b) => a.start - b.start)
}

function findHangul(text: string, lexicon: NameLexicon, spans: PiiSpan[]): void {
  HANGUL_RE.lastIndex = 0
  for (let m = HANGUL_RE.exec(text); m !== null; m = HANGUL_RE.exec(text)) {
    if (isHangulName(m[0], lexicon)) spans.push({ kind: 'name', start: m.index, end: m.index + m[0].length, normalised: m[0] })
  }
}

function isHangulName(word: string, lexicon: NameLexicon): boolean {
  const compound = HANGUL_COMPOUND_SURNAMES.has(word.slice(0, 2))
  const surnameLength = compound ? 2 : HANGUL_SURNAMES.has(word.charAt(0)) ? 1 : 0
  if (surnameLength === 0) return false
  const given = word.slice(surnameLength)
  if (given.length !== 2 && !(compound && given.length === 1)) return false
  if (lexicon.common.has(word)) return false
  for (const syllable of given) if (HANGUL_NON_NAME_SYLLABLES.has(syllable)) return false
  // Two everyday words glued (`하지밤`), split anywhere but after the family name.
  for (let k = 1; k < word.length; k++) {
    if (k !== surnameLength && lexicon.common.has(word.slice(0, k)) && lexicon.common.has(word.slice(k))) return false
  }
  return true
}

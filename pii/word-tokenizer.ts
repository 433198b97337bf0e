// Splits an identifier into words the way a person reads it: at separators
// (space . _ - and friends), at camel-case boundaries (AnnaSchmidt), dropping
// trailing counters (anna42). Chunks that look machine-made (digits inside
// letters, or case patterns no person types) are marked opaque so random
// tokens never turn into words.
import { foldToken } from './fold-token.ts'

export type Script = 'latin' | 'cyrillic' | 'greek' | 'armenian' | 'georgian' | 'arabic' | 'hebrew' | 'indic' | 'thai' | 'han' | 'kana' | 'hangul' | 'other'

export interface WordToken {
  start: number
  end: number
  /** Lower case, diacritics removed (see fold-token.ts). */
  folded: string
  script: Script
  /** First letter upper case. */
  capitalised: boolean
  /** Written like a name in running text: `Anna`, or `ANNA` (three letters or more). */
  titleCase: boolean
  /** Only a single separator (or a camel-case boundary, or `. ` after a title) since the previous word. */
  joinedToPrevious: boolean
  /** Part of a machine-made chunk: never a name word. */
  opaque: boolean
  /** Joined to the previous word by `, ` or `,` (`Nowak, Anna`): counts as joined only for a name written surname first. */
  comma: boolean
}

const CHUNK_RE = /[\p{L}\p{M}\p{N}'’\u200c]+/gu
const WORD_RE = /\p{Lu}[\p{Ll}\p{M}'’]+|\p{Lu}+(?![\p{Ll}\p{M}])|[\p{Ll}\p{Lo}\p{M}'’\u200c]+/gu
const TRAILING_DIGITS_RE = /\p{N}+$/u
const DIGIT_RE = /\p{N}/u
/** Case patterns people type: anna, Anna, ANNA, annaSchmidt, AnnaSchmidt, O'Brien. */
const HUMAN_CASE_RE = /^(?:\p{Lu}?[\p{Ll}\p{M}'’]+(?:\p{Lu}[\p{Ll}\p{M}'’]+)*|\p{Lu}[\p{Lu}\p{M}'’]*)$/u
const SINGLE_SEPARATOR_RE = /^[ ._\-\u00a0]$/
const TITLE_CASE_RE = /^\p{Lu}[\p{Ll}\p{M}'’]+$|^\p{Lu}{3,}$/u

export function tokenizeWords(text: string): WordToken[] {
  const tokens: WordToken[] = []
  let previousEnd = -1
  let previousFolded = ''
  CHUNK_RE.lastIndex = 0
  for (let chunk = CHUNK_RE.exec(text); chunk !== null; chunk = CHUNK_RE.exec(text)) {
    let letters = chunk[0]
    if (DIGIT_RE.test(letters)) letters = letters.replace(TRAILING_DIGITS_RE, '')
    // Digits inside letters or a case pattern no person types: machine-made, and it breaks a name.
    if (letters === '' || DIGIT_RE.test(letters) || !isHumanCaseShape(letters)) { previousEnd = -1; continue }
    const opaque = false
    WORD_RE.lastIndex = 0
    for (let w = WORD_RE.exec(letters); w !== null; w = WORD_RE.exec(letters)) {
      const word = w[0]
      const start = chunk.index + w.index
      const gap = previousEnd < 0 ? null : text.slice(previousEnd, start)
      const comma = gap === ', ' || gap === ','
      const joined = gap !== null && (gap === '' || SINGLE_SEPARATOR_RE.test(gap) || comma || (gap === '. ' && isTitleWord(previousFolded)))
      const folded = foldToken(word)
      tokens.push({
        start, end: start + word.length, folded, script: scriptOf(word.charCodeAt(0)),
        capitalised: word !== word.toLowerCase() && word.charAt(0) !== word.charAt(0).toLowerCase(),
        titleCase: TITLE_CASE_RE.test(word), joinedToPrevious: joined, opaque, comma,
      })
      previousEnd = start + word.length
      previousFolded = folded
    }
  }
  return tokens
}

export function isHumanCaseShape(letters: string): boolean {
  return HUMAN_CASE_RE.test(letters) || !/[\p{Lu}\p{Ll}]/u.test(letters) // caseless scripts have no pattern to check
}

function isTitleWord(folded: string): boolean {
  return folded === 'dr' || folded === 'prof' || folded === 'mr' || folded === 'mrs' || folded === 'ms' || folded === 'st'
}

function scriptOf(c: number): Script {
  if (c < 0x250 || (c >= 0x1e00 && c < 0x1f00)) return 'latin'
  if (c >= 0x370 && c < 0x400) return 'greek'
  if (c >= 0x1f00 && c < 0x2000) return 'greek'
  if (c >= 0x400 && c < 0x530) return 'cyrillic'
  if (c >= 0x530 && c < 0x590) return 'armenian'
  if ((c >= 0x10a0 && c < 0x1100) || (c >= 0x1c90 && c < 0x1cc0)) return 'georgian'
  if (c >= 0xe00 && c < 0xe80) return 'thai'
  if (c >= 0x590 && c < 0x600) return 'hebrew'
  if ((c >= 0x600 && c < 0x780) || (c >= 0x8a0 && c < 0x900)) return 'arabic'
  if (c >= 0x900 && c < 0xe00) return 'indic'
  if (c >= 0x3040 && c < 0x3100) return 'kana'
  if ((c >= 0x3400 && c < 0xa000) || (c >= 0xf900 && c < 0xfb00)) return 'han'
  if (c >= 0xac00 && c < 0xd7b0) return 'hangul'
  return 'other'
}

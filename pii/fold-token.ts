// One spelling per name for lexicon look-ups: lower case, diacritics removed,
// so `Schäfer`, `SCHAFER` and `schafer` meet the same entry. Used both by the
// lexicon build and at detection time; the two must agree, hence one file.
const COMBINING_MARKS_RE = /[\u0300-\u036f]/g
const ASCII_LOWER_RE = /^[a-z]*$/
const SPECIAL: Record<string, string> = { ı: 'i', ł: 'l', ø: 'o', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe', þ: 'th', ð: 'd', 'ʼ': "'", '’': "'" }
const SPECIAL_RE = /[ıłøđßæœþðʼ’]/g

export function foldToken(token: string): string {
  const lower = token.toLowerCase()
  if (ASCII_LOWER_RE.test(lower)) return lower // the hot, common case: no allocation beyond toLowerCase
  return lower.normalize('NFD').replace(COMBINING_MARKS_RE, '').replace(SPECIAL_RE, (c) => SPECIAL[c] ?? c).normalize('NFC')
}

// Finds personal names in identifier shapes: `Anna Schmidt`, `anna.schmidt`,
// `anna_schmidt`, `AnnaSchmidt`, `ANNA SCHMIDT`, `schmidt-anna-42`,
// `Dr. Jan-Kees Lantsheer`, and names in Cyrillic, Greek, Arabic, Hebrew,
// Devanagari, Han and Hangul script.
//
// Rule (Latin script). Each word gets a score from the lexicons:
//   2   a given name that is not also an everyday word (anna, lukas)
//   1   a known personal name that is not an everyday word (schmidt, okafor)
//   0.5 a name that is also an everyday word (smith, green, mark, paris)
//   0   unknown;  veto: identifier vocabulary (room, sales, standup, opus) and
//       place/brand/holiday/joining words (park, day, bridge, santa, benz, and)
// Adjacent words (one separator or a camel-case boundary between them) form a
// run; a run is a name when two of its words score >= 0.5 and add up to >= 2
// (a given name plus any name, or two solid names; a word in no lexicon that
// the n-gram model (name-model.ts) vouches for scores 0.99 and completes a name
// next to a lexicon name, `tomasz_wierzbicki`, or 1 when the model is sure;
// two or three words only the model judges are a name when their log-odds add
// up to MODEL_CUTS.pair, `Ilkka Hämäläinen`), or when it is written like
// a person (Title Case) and pairs a given name with a capitalised unknown word
// (`Anna Lantsheer`; an everyday English word is no unknown word, so not
// `Graham Cracker`), or when it starts with a title (Dr., Prof., Frau). A run
// never starts on a particle (`de Janeiro`), and a known brand or place pair
// (`Mercedes Benz`, `Morgan Stanley`, `Kings Cross`) is never a name. Room and
// meeting names measured: test/pii/corpus/room-names.ts.
//
// Decision: a single given name alone (`anna-42`, `Lukas`) is NOT flagged. A
// first name by itself rarely singles out a person, and flagging it would also
// flag `max-bitrate`, `mark`, `will`. Tenants who disagree add it to `deny`.
//
// Random tokens (UUIDs, hex, base62, nanoids) are skipped: an alphanumeric
// chunk that mixes digits into letters, or whose case pattern is not a human
// one (Xxxx, xxxx, XXXX, XxxxYyyy), is never read as words.
import { nameLikelihood } from './name-model.ts'
import { loadNameLexicon } from './names-lexicon.ts'
import type { NameLexicon } from './names-lexicon.ts'
import { IDENTIFIER_WORDS, NON_NAME_PAIRS, NON_NAME_WORDS, PARTICLES, TITLES, WORD_LIKE_GIVEN_NAMES } from './name-vocabulary.ts'
import { detectNonLatinNames } from './non-latin-name-detector.ts'
import type { PiiSpan } from './span.ts'
import { tokenizeWords } from './word-tokenizer.ts'
import type { WordToken } from './word-tokenizer.ts'

const VETO = -100
/**
 * Model log-odds cut-offs (name-model.ts), chosen on validation data only
 * (scripts/name-dev-latin.ts, scripts/name-dev-sweep.ts; never on the held-out test).
 * A plain object so the dev sweep can try values; nothing changes it at run time.
 */
export const MODEL_CUTS = {
  /** A Latin token in no lexicon and no everyday-word list at or above this completes a name next to a solid one (score 0.99). */
  threshold: 0,
  /** A token in no lexicon counts as a solid name (score 1): two of them side by side are a name. */
  solid: 2,
  /** Least log-odds of a word in a run judged by the model alone, and what such a run must add up to. */
  min: -1.5,
  pair: 2,
  /** A lower-case word split into two halves the model alone judges: what the halves must add up to. */
  concat: 6,
  /** An initial glued to a surname the model alone judges (`kvirtanen`). */
  initialAlone: 2.5,
  /** A token only the any-role lists know counts as a solid name. */
  anyRole: 1,
  /** Stricter, for a surname that has only an initial next to it (`k.nowakowska`, `knowakowska`). */
  thresholdInitial: 2,
}
/** What a word with log-odds in [MODEL_CUTS.min, MODEL_CUTS.threshold) scores: it may grow a run, never completes one. */
const MODEL_WEAK = 0.01
const VOWEL_RE = /[aeiouy]/
/** Only the letters of hex digits (`edbc` of `edbc831032`): a piece of a hash, not a word to judge. */
const HEX_LETTERS_RE = /^[a-f]+$/
const CONSONANT_RUN_RE = /[^aeiouy']{5}/
/** Folded Latin letters (diacritics gone; ə, ı-less letters kept) the model reads. */
const MODEL_WORD_RE = /^[\p{L}']+$/u
const ASCII_WORD_RE = /^[a-z']+$/
/** What a model-vouched token scores: enough next to a known name (1 or 2), never two of them alone. */
const MODEL_SCORE = 0.99
/** Frequent surnames (Korea's third most common among them) that are also place or holiday words. */
const COMMON_SURNAMES_AMONG_PLACE_WORDS: ReadonlySet<string> = new Set(['park', 'day', 'hill'])

export function detectNames(text: string, lexicon: NameLexicon = loadNameLexicon()): PiiSpan[] {
  if (!mayHoldName(text)) return []
  const tokens = tokenizeWords(text)
  const spans: PiiSpan[] = []
  const latin: WordToken[] = []
  for (const t of tokens) if (t.script === 'latin') latin.push(t)
  if (latin.length >= 2) findLatinNames(latin, lexicon, spans)
  if (spans.length === 0 && latin.length >= 1 && latin.length <= 2) findInitialOrConcatenated(latin, lexicon, spans)
  if (latin.length !== tokens.length || /[\u3000-\u9fff\uac00-\ud7af]/.test(text)) {
    for (const s of detectNonLatinNames(text, tokens, lexicon)) spans.push(s)
    spans.sort((a, b) => a.start - b.start)
  }
  return spans
}

/**
 * Cheap exit for the bulk of telemetry ids (ASCII only): a Latin name needs two
 * words of two letters or more, or a camel-case step; and hex letters mixed
 * with digits (UUIDs, hashes) are never words.
 */
function mayHoldName(text: string): boolean {
  let run = 0
  let runs = 0 // letter runs of two or more
  let camel = false // a lower-to-upper step inside a run (AnnaSchmidt)
  let nonHexLetter = false
  let digit = false
  let previousLower = false
  let longest = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0x80) return true
    const lower = c | 0x20
    if (lower >= 97 && lower <= 122) {
      if (++run === 2) runs++
      if (run > longest) longest = run
      if (lower > 102) nonHexLetter = true
      const isLower = c >= 97
      if (!isLower && previousLower && run >= 3) camel = true
      previousLower = isLower
    } else {
      run = 0
      previousLower = false
      if (c >= 48 && c <= 57) digit = true
    }
  }
  return (runs >= 2 || camel || longest >= 5) && (nonHexLetter || !digit)
}

/** An everyday word of any language the lexicon lists (English and the others' top words). */
function everyday(f: string, lexicon: NameLexicon): boolean {
  return lexicon.common.has(f) || lexicon.foreignWords?.has(f) === true
}

/**
 * The model's log-odds for a token that only the model can judge (in no lexicon
 * but the any-role lists, no everyday word), NaN for every other token.
 */
function modelOdds(token: WordToken, lexicon: NameLexicon): number {
  const f = token.folded
  if (token.opaque || lexicon.model === undefined || f.length < 3 || !MODEL_WORD_RE.test(f) || IDENTIFIER_WORDS.has(f) || NON_NAME_WORDS.has(f)) return NaN
  if (lexicon.given.has(f) || lexicon.surnames?.has(f) === true || everyday(f, lexicon) || WORD_LIKE_GIVEN_NAMES.has(f)) return NaN
  // Letters no one can say (`mxk`, random camel-case chunks) or hex letters are no name, whatever the n-grams say.
  if (!VOWEL_RE.test(f) || CONSONANT_RUN_RE.test(f) || HEX_LETTERS_RE.test(f)) return NaN
  return nameLikelihood(lexicon.model, f)
}

function score(token: WordToken, lexicon: NameLexicon, odds: number): number {
  const f = token.folded
  if (f.length < 2 || IDENTIFIER_WORDS.has(f)) return VETO
  // Place/brand/holiday words that are also surnames (Park, Day, Hill) count weakly: they
  // complete a name only next to a solid given name (`Emily Park`), never two of them
  // together (`Apple Park`). Privacy errs this way: a false positive costs readability only.
  if (NON_NAME_WORDS.has(f)) return COMMON_SURNAMES_AMONG_PLACE_WORDS.has(f) ? 0.5 : VETO
  const given = lexicon.given.has(f)
  const wordLike = everyday(f, lexicon) || WORD_LIKE_GIVEN_NAMES.has(f)
  // A given name that is also an English word (`virgin`, `crystal`, `jack`) needs a solid neighbour.
  if (given && !WORD_LIKE_GIVEN_NAMES.has(f)) return lexicon.givenWords?.has(f) === true ? 1 : 2
  if (given) return 0.5
  if (lexicon.surnames?.has(f) === true) return wordLike ? 0.5 : 1
  if (wordLike) return 0
  // Only the any-role lists (cspell, humannames: noisy, places and brands among them) call it a name:
  // solid only when the model agrees, else it completes a name next to a solid one.
  if (lexicon.names.has(f)) return Number.isNaN(odds) || odds >= MODEL_CUTS.anyRole ? 1 : MODEL_SCORE
  // In no lexicon: the model may vouch for it (`hamalainen`, `nwosu`), never for an everyday word.
  if (odds >= MODEL_CUTS.solid) return 1
  if (odds >= MODEL_CUTS.threshold) return MODEL_SCORE
  // Too weak alone, but may still belong to a run whose words add up (MODEL_CUTS.pair).
  if (odds >= MODEL_CUTS.min) return MODEL_WEAK
  return 0
}

/** A surname: in the surname or name lists and no everyday word, or vouched for by the model at the stricter threshold. */
function surnameLike(f: string, lexicon: NameLexicon, strict: boolean): boolean {
  if (f.length < 3 || IDENTIFIER_WORDS.has(f) || NON_NAME_WORDS.has(f) || everyday(f, lexicon) || WORD_LIKE_GIVEN_NAMES.has(f)) return false
  if ((lexicon.surnames ?? lexicon.names).has(f)) return true
  const m = lexicon.model !== undefined && MODEL_WORD_RE.test(f) ? nameLikelihood(lexicon.model, f) : -Infinity
  // Only the any-role lists know it: the model must agree (they hold `upgrade`, `check`).
  if (!strict && lexicon.names.has(f)) return m >= MODEL_CUTS.anyRole
  return m >= MODEL_CUTS.thresholdInitial
}
function givenLike(f: string, lexicon: NameLexicon): boolean {
  return f.length >= 2 && lexicon.given.has(f) && !WORD_LIKE_GIVEN_NAMES.has(f) && !IDENTIFIER_WORDS.has(f) && !NON_NAME_WORDS.has(f)
}

/**
 * `k.nowakowska`, `k_nowakowska` (an initial, one separator, a surname: the whole identifier), and
 * one lower-case word that splits into a given name and a surname (`larsnilsson`) or an
 * initial and a known surname (`knowakowska`). The word itself must be in no lexicon.
 */
function findInitialOrConcatenated(tokens: readonly WordToken[], lexicon: NameLexicon, spans: PiiSpan[]): void {
  if (tokens.length === 2) {
    const [a, b] = tokens as [WordToken, WordToken]
    if (a.folded.length === 1 && b.joinedToPrevious && !b.comma && b.start === a.end + 1 && !a.opaque && !b.opaque
      && surnameLike(b.folded, lexicon, false)) {
      spans.push({ kind: 'name', start: a.start, end: b.end, normalised: `${a.folded} ${b.folded}` })
    }
    return
  }
  const t = tokens[0]!
  const f = t.folded
  if (t.opaque || f.length < 6 || f.length > 30 || !ASCII_WORD_RE.test(f) || t.capitalised) return
  if (lexicon.given.has(f) || lexicon.names.has(f) || lexicon.common.has(f) || IDENTIFIER_WORDS.has(f) || isWordCompound(f, lexicon)) return
  for (let k = 2; k <= f.length - 3; k++) {
    const first = f.slice(0, k)
    const last = f.slice(k)
    if (givenLike(first, lexicon) && surnameLike(last, lexicon, false) && (lexicon.surnames?.has(last) || k >= 3)) {
      spans.push({ kind: 'name', start: t.start, end: t.end, normalised: `${first} ${last}` })
      return
    }
  }
  const rest = f.slice(1)
  if (rest.length >= 4 && (lexicon.surnames ?? lexicon.names).has(rest) && surnameLike(rest, lexicon, true)) {
    spans.push({ kind: 'name', start: t.start, end: t.end, normalised: `${f.charAt(0)} ${rest}` })
    return
  }
  // Nothing in the lexicon: the model alone, stricter. Given name + surname, the best split whose
  // halves are both name-like (`tuulamakinen`); or an initial and a surname (`kvirtanen`).
  const model = lexicon.model
  if (model === undefined || hasWordPart(f, lexicon) || hasWordPart(rest, lexicon)) return
  const plain = (w: string) => !everyday(w, lexicon) && !IDENTIFIER_WORDS.has(w) && !NON_NAME_WORDS.has(w)
  let best = -Infinity
  let at = 0
  for (let k = 3; k <= f.length - 3; k++) {
    const first = f.slice(0, k)
    const last = f.slice(k)
    if (!plain(first) || !plain(last)) continue
    const a = givenLike(first, lexicon) ? MODEL_CUTS.concat : nameLikelihood(model, first)
    const b = (lexicon.surnames ?? lexicon.names).has(last) ? MODEL_CUTS.concat : nameLikelihood(model, last)
    if (a >= MODEL_CUTS.threshold && b >= MODEL_CUTS.threshold && a + b > best) { best = a + b; at = k }
  }
  if (best >= MODEL_CUTS.concat) {
    spans.push({ kind: 'name', start: t.start, end: t.end, normalised: `${f.slice(0, at)} ${f.slice(at)}` })
    return
  }
  if (rest.length >= 5 && plain(rest) && nameLikelihood(model, rest) >= MODEL_CUTS.initialAlone) {
    spans.push({ kind: 'name', start: t.start, end: t.end, normalised: `${f.charAt(0)} ${rest}` })
  }
}

/**
 * The model is no judge of a glued word that starts or ends with an everyday word of five
 * letters or more (`steelpizza`, `cottonsoap`, `kensingtonpalace`): its n-grams say little.
 */
function hasWordPart(f: string, lexicon: NameLexicon): boolean {
  // A part that is also a given name or surname (`anna`, `berg`) says nothing either way.
  const wordish = (w: string) => (lexicon.common.has(w) || NON_NAME_WORDS.has(w) || IDENTIFIER_WORDS.has(w)) && !lexicon.given.has(w) && lexicon.surnames?.has(w) !== true
  for (let k = 5; k <= f.length - 3; k++) if (wordish(f.slice(0, k)) || wordish(f.slice(f.length - k))) return true
  return false
}

/** `rosegarden`, `kingscross`, `valentineday`, `mupgrade`: everyday or place words glued together. */
function isWordCompound(f: string, lexicon: NameLexicon): boolean {
  const wordish = (w: string) => lexicon.common.has(w) || NON_NAME_WORDS.has(w) || IDENTIFIER_WORDS.has(w)
  if (wordish(f.slice(1))) return true // `mupgrade`: an initial and a word
  for (let k = 2; k <= f.length - 3; k++) {
    const head = f.slice(0, k)
    const tail = f.slice(k)
    if (wordish(tail) && (wordish(head) || lexicon.given.has(head) || lexicon.names.has(head))) return true
  }
  return false
}

function findLatinNames(tokens: readonly WordToken[], lexicon: NameLexicon, spans: PiiSpan[]): void {
  const odds = tokens.map((t) => modelOdds(t, lexicon))
  const scores = tokens.map((t, k) => (t.opaque ? VETO : score(t, lexicon, odds[k]!)))
  let i = 0
  while (i < tokens.length) {
    const first = tokens[i]!
    const titled = TITLES.has(first.folded) && first.capitalised
    if (!titled && (!(scores[i]! > 0) || PARTICLES.has(first.folded))) { i++; continue }
    // Grow the run over adjacent words that can belong to a name.
    let j = i
    while (j + 1 < tokens.length && tokens[j + 1]!.joinedToPrevious) {
      const next = tokens[j + 1]!
      const s = scores[j + 1]!
      if (s === VETO) break
      if (next.comma && !(j === i && first.titleCase && next.titleCase)) break
      if (s > 0 || (next.capitalised && !lexicon.common.has(next.folded))) { j++; continue }
      if (PARTICLES.has(next.folded) && j + 2 < tokens.length && tokens[j + 2]!.joinedToPrevious && tokens[j + 2]!.capitalised) { j++; continue }
      break
    }
    if (acceptRun(tokens, scores, odds, i, j, titled) < 0) { i++; continue }
    // Shed weak words (`from`, `green`) at either edge when the rest still reads as a name,
    // but not an unknown capitalised word after the name (`Jan-Kees Lantsheer`, `Ludwig van
    // Beethoven`): that is the surname the lexicon lacks, and leaving it would store it raw.
    let from = i
    if (!titled) {
      // (`common` only: a capitalised word of another language after a name, `Beethoven`, is its surname more often than not)
      const unknownSurname = (k: number) => unknownScore(scores[k]!) && tokens[k]!.titleCase && !lexicon.common.has(tokens[k]!.folded) && !againstName(odds[k]!)
      while (j > from + 1 && scores[j]! <= 0.5 && !unknownSurname(j) && acceptRun(tokens, scores, odds, from, j - 1, false) >= 0) j--
      while (from + 1 < j && scores[from]! <= 0.5 && acceptRun(tokens, scores, odds, from + 1, j, false) >= 0) from++
    }
    const end = acceptRun(tokens, scores, odds, from, j, titled)
    if (holdsNonNamePair(tokens, from, end)) { i++; continue }
    const words = tokens.slice(titled ? from + 1 : from, end + 1).map((t) => t.folded).filter((w) => !PARTICLES.has(w))
    spans.push({ kind: 'name', start: tokens[from]!.start, end: tokens[end]!.end, normalised: words.sort().join(' ') })
    i = end + 1
  }
}

/** `Mercedes Benz`, `Morgan Stanley`: two name-like words that together are a brand or a place. */
function holdsNonNamePair(tokens: readonly WordToken[], from: number, end: number): boolean {
  for (let k = from; k < end; k++) if (NON_NAME_PAIRS.has(`${tokens[k]!.folded} ${tokens[k + 1]!.folded}`)) return true
  return false
}

/** The model is sure it is no name (`Hornets`, `Galactic`, `Dreamhouse`: words the lists lack). */
function againstName(odds: number): boolean {
  return odds < MODEL_CUTS.min
}

/** A word nothing vouches for: in no lexicon, the model unsure or against. */
function unknownScore(s: number): boolean {
  return s === 0 || s === MODEL_WEAK
}

/** Index of the last word of the name in tokens[i..j], or -1 when the run is no name. */
function acceptRun(tokens: readonly WordToken[], scores: readonly number[], odds: readonly number[], i: number, j: number, titled: boolean): number {
  if (titled) {
    let end = i
    while (end + 1 <= j && (tokens[end + 1]!.capitalised || PARTICLES.has(tokens[end + 1]!.folded))) end++
    while (end > i && PARTICLES.has(tokens[end]!.folded)) end--
    return end > i ? end : -1
  }
  let best = 0
  let second = 0
  let hasGiven = false
  let unknownCapitalised = 0
  let last = -1
  const humanShape = tokens.slice(i, j + 1).every((t) => t.titleCase || PARTICLES.has(t.folded))
  for (let k = i; k <= j; k++) {
    const s = scores[k]!
    if (s >= 2) hasGiven = true
    if (s > best) { second = best; best = s } else if (s > second) second = s
    if (s > MODEL_WEAK) last = k
    else if (unknownScore(s) && tokens[k]!.titleCase && tokens[k]!.folded.length >= 2 && !againstName(odds[k]!)) { unknownCapitalised++; if (humanShape) last = k }
  }
  if (second >= 0.5 && best >= 1 && best + second >= 1.99) return last
  if (humanShape && hasGiven && unknownCapitalised > 0 && j > i) return last
  // Two or three words only the model can judge: their log-odds add up (independent evidence).
  if (j > i && j - i <= 2) {
    let total = 0
    for (let k = i; k <= j; k++) {
      const o = odds[k]!
      if (!(o >= MODEL_CUTS.min)) return -1
      total += o
    }
    if (total >= MODEL_CUTS.pair) return j
  }
  return -1
}

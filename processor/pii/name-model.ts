// Character trigram model for Latin-script words in no lexicon: how much more
// a folded token (`hamalainen`, `wierzbicki`, `nwosu`) looks like a personal
// name than like an everyday word (`bridge`, `harbor`, `notebook`).
//
// Score = mean over the token's trigrams (with ^ and $ boundaries) of
// log P(c | a b, names) - log P(c | a b, words), add-k smoothed, trained at
// development time on type lists (each name or word once): names = every given
// name and surname in the lexicon, words = the common-word lists of ~40
// languages minus names. The table of log ratios is quantised to one signed
// byte per trigram (29^3 cells, ~24 KB, base64 in names-lexicon.json), so
// scoring is a few array reads per letter and needs nothing at run time.
//
// Used only as a tie-breaker when the shape already says "person" (two
// capitalised tokens, `first.last`, `Last, First`), and never on a token that
// is a known everyday word: see name-detector.ts.

const A = 29 // 0 boundary, 1-26 a-z, 27 apostrophe, 28 anything else
const CELLS = A * A * A
/** Quantisation: table value / SCALE = log ratio in nats. */
const SCALE = 16

export interface NameModel { readonly table: Int8Array }

function code(c: number): number {
  if (c >= 97 && c <= 122) return c - 96
  if (c === 39) return 27
  return 28
}

/** Mean log-likelihood ratio (nats per trigram) that a folded token is a name rather than a word. */
export function nameLikelihood(model: NameModel, folded: string): number {
  const t = model.table
  let a = 0
  let b = 0
  let sum = 0
  const n = folded.length
  for (let i = 0; i <= n; i++) {
    const c = i === n ? 0 : code(folded.charCodeAt(i))
    sum += t[(a * A + b) * A + c]!
    a = b
    b = c
  }
  return sum / SCALE / (n + 1)
}

/** Dev-time: trains the table from two type lists of folded tokens. */
export function trainNameModel(names: Iterable<string>, words: Iterable<string>, k = 0.1): NameModel {
  const count = (list: Iterable<string>) => {
    const tri = new Float64Array(CELLS)
    const bi = new Float64Array(A * A)
    for (const w of list) {
      let a = 0
      let b = 0
      for (let i = 0; i <= w.length; i++) {
        const c = i === w.length ? 0 : code(w.charCodeAt(i))
        tri[(a * A + b) * A + c]! += 1
        bi[a * A + b]! += 1
        a = b
        b = c
      }
    }
    return { tri, bi }
  }
  const n = count(names)
  const w = count(words)
  const table = new Int8Array(CELLS)
  for (let ab = 0; ab < A * A; ab++) {
    for (let c = 0; c < A; c++) {
      const cell = ab * A + c
      const pn = (n.tri[cell]! + k) / (n.bi[ab]! + k * A)
      const pw = (w.tri[cell]! + k) / (w.bi[ab]! + k * A)
      table[cell] = Math.max(-127, Math.min(127, Math.round(Math.log(pn / pw) * SCALE)))
    }
  }
  return { table }
}

export function encodeNameModel(model: NameModel): string {
  return Buffer.from(model.table.buffer, model.table.byteOffset, model.table.byteLength).toString('base64')
}

export function decodeNameModel(text: string): NameModel {
  const bytes = Buffer.from(text, 'base64')
  return { table: new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) }
}

// Character n-gram model for Latin-script words in no lexicon: how much more a
// folded token (`hamalainen`, `wierzbicki`, `nwosu`) looks like a personal
// name than like an everyday word or a place (`bridge`, `harbor`, `offenburg`).
//
// Model: logistic regression over hashed character n-grams of `^token$`
// (lengths 2 to 5), trained at development time (scripts/name-lexicon-builder.ts)
// on type lists: names = every given name and surname of the lexicon sources,
// non-names = the common-word lists of ~40 languages and the city and region
// names of every faker locale, minus anything that is also a name. Why this
// and not per-class n-gram likelihoods: a likelihood ratio trained on words
// alone calls every proper noun a name (places, brands and names share their
// letter statistics); a discriminative model trained against places as well
// learns the few n-grams that tell them apart (`-ska`, `-enko`, `-ova` vs
// `-burg`, `-ow`, `-ville`) and gives a calibrated log-odds to threshold.
// Weights are quantised to one signed byte per hash cell (2^17 cells, 128 KB,
// base64 in names-lexicon.json); scoring is ~4 hash steps per letter.
//
// The score is a log-odds: 0 = as likely a name as not (classes balanced in
// training), > 2 = a name seven times out of eight. name-detector.ts uses it
// only for tokens in no lexicon and no everyday-word list.

const BITS = 17
const CELLS = 1 << BITS
const MASK = CELLS - 1
const MIN_N = 2
const MAX_N = 5

export interface NameModel {
  readonly table: Int8Array
  /** Log-odds = (bias + sum of table cells) / scale. */
  readonly scale: number
  readonly bias: number
}

/** Boundary-marked character codes of a folded token. */
function codes(folded: string, out: number[]): number {
  out[0] = 94 // ^
  const n = folded.length
  for (let i = 0; i < n; i++) out[i + 1] = folded.charCodeAt(i)
  out[n + 1] = 36 // $
  return n + 2
}

/** Calls visit(cell) for each n-gram (lengths MIN_N..MAX_N) of the boundary-marked token. */
function forEachCell(folded: string, buf: number[], visit: (cell: number) => void): void {
  const len = codes(folded, buf)
  for (let i = 0; i < len; i++) {
    let h = 0x811c9dc5
    for (let j = i; j < len && j - i < MAX_N; j++) {
      h = Math.imul(h ^ buf[j]!, 0x01000193)
      if (j - i + 1 >= MIN_N) visit((h ^ (h >>> BITS) ^ (j - i)) & MASK)
    }
  }
}

const scratch: number[] = []

/** Log-odds that a folded Latin token is a personal name rather than a word or place. */
export function nameLikelihood(model: NameModel, folded: string): number {
  const t = model.table
  let sum = model.bias
  const len = codes(folded, scratch)
  for (let i = 0; i < len; i++) {
    let h = 0x811c9dc5
    const stop = Math.min(len, i + MAX_N)
    for (let j = i; j < stop; j++) {
      h = Math.imul(h ^ scratch[j]!, 0x01000193)
      if (j - i + 1 >= MIN_N) sum += t[(h ^ (h >>> BITS) ^ (j - i)) & MASK]!
    }
  }
  return sum / model.scale
}

/** Deterministic PRNG for the training order. */
function mulberry(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Dev-time: trains the weights by SGD on the logistic loss, classes weighted
 * to balance, a fixed seed and order (same inputs give the same bytes).
 */
export function trainNameModel(names: Iterable<string>, nonNames: Iterable<string>, epochs = 6): NameModel {
  const data: [string, number][] = []
  for (const w of names) data.push([w, 1])
  const nPos = data.length
  for (const w of nonNames) data.push([w, 0])
  const nNeg = data.length - nPos
  data.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]))
  const weightOf = [data.length / (2 * Math.max(1, nNeg)), data.length / (2 * Math.max(1, nPos))]
  const w = new Float64Array(CELLS)
  let bias = 0
  const rand = mulberry(8)
  const order = Array.from(data.keys())
  const cells: number[] = []
  const buf: number[] = []
  const l2 = 1e-6
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); const x = order[i]!; order[i] = order[j]!; order[j] = x }
    const rate = 0.2 / (1 + epoch)
    for (const idx of order) {
      const [word, label] = data[idx]!
      cells.length = 0
      forEachCell(word, buf, (c) => cells.push(c))
      let z = bias
      for (const c of cells) z += w[c]!
      const p = 1 / (1 + Math.exp(-z))
      const g = (p - label) * weightOf[label]! * rate
      bias -= g * 0.1
      for (const c of cells) w[c] = w[c]! - g - l2 * w[c]!
    }
  }
  let max = 0
  for (const x of w) if (Math.abs(x) > max) max = Math.abs(x)
  const scale = max === 0 ? 1 : 127 / max
  const table = new Int8Array(CELLS)
  for (let i = 0; i < CELLS; i++) table[i] = Math.round(w[i]! * scale)
  return { table, scale, bias: Math.round(bias * scale) }
}

export function encodeNameModel(model: NameModel): string {
  const header = `${model.scale.toPrecision(9)},${model.bias};`
  return header + Buffer.from(model.table.buffer, model.table.byteOffset, model.table.byteLength).toString('base64')
}

export function decodeNameModel(text: string): NameModel {
  const at = text.indexOf(';')
  const [scale, bias] = text.slice(0, at).split(',').map(Number) as [number, number]
  const bytes = Buffer.from(text.slice(at + 1), 'base64')
  if (bytes.byteLength !== CELLS) throw new Error(`name model: expected ${CELLS} cells, got ${bytes.byteLength}`)
  return { table: new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), scale, bias }
}

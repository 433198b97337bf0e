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

/** The shipped shape: hash cells 2^bits, n-gram lengths minN..maxN. */
export const DEFAULT_SHAPE = { bits: 17, minN: 2, maxN: 5 } as const

/**
 * Sample weight of a name only the any-role lists know (cspell, humannames: ~180,000 words with
 * places, brands and words among them) against 1 for a given name or surname. 0.1 (with 2^19
 * cells, 2- to 6-grams) gave the best validation recall at every negatives budget but did not
 * carry over to the held-out test (docs/names.md, round 3), so the shipped model keeps 1.
 */
export const DEFAULT_WEAK_WEIGHT = 1

export interface NameModel {
  readonly table: Int8Array
  /** Log-odds = (bias + sum of table cells) / scale. */
  readonly scale: number
  readonly bias: number
  /** log2 of the table size. */
  readonly bits: number
  /** N-gram lengths read, minN..maxN. */
  readonly minN: number
  readonly maxN: number
}

/** Boundary-marked character codes of a folded token. */
function codes(folded: string, out: number[]): number {
  out[0] = 94 // ^
  const n = folded.length
  for (let i = 0; i < n; i++) out[i + 1] = folded.charCodeAt(i)
  out[n + 1] = 36 // $
  return n + 2
}

/** Calls visit(cell) for each n-gram (lengths minN..maxN) of the boundary-marked token. */
function forEachCell(folded: string, buf: number[], bits: number, minN: number, maxN: number, visit: (cell: number) => void): void {
  const len = codes(folded, buf)
  const mask = (1 << bits) - 1
  for (let i = 0; i < len; i++) {
    let h = 0x811c9dc5
    for (let j = i; j < len && j - i < maxN; j++) {
      h = Math.imul(h ^ buf[j]!, 0x01000193)
      if (j - i + 1 >= minN) visit((h ^ (h >>> bits) ^ (j - i)) & mask)
    }
  }
}

const scratch: number[] = []

/** Log-odds that a folded Latin token is a personal name rather than a word or place. */
export function nameLikelihood(model: NameModel, folded: string): number {
  const t = model.table
  const bits = model.bits
  const mask = (1 << bits) - 1
  const maxN = model.maxN
  const from = model.minN - 1
  let sum = model.bias
  const len = codes(folded, scratch)
  for (let i = 0; i < len; i++) {
    let h = 0x811c9dc5
    const stop = Math.min(len, i + maxN)
    for (let j = i; j < stop; j++) {
      h = Math.imul(h ^ scratch[j]!, 0x01000193)
      if (j - i >= from) sum += t[(h ^ (h >>> bits) ^ (j - i)) & mask]!
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

export interface TrainOptions {
  bits?: number
  minN?: number
  maxN?: number
  epochs?: number
  /** 'sgd' (default): rate 0.2 / (1 + epoch); 'adagrad': rate / sqrt(sum of squared gradients) per cell. */
  optimizer?: 'sgd' | 'adagrad'
  rate?: number
  l2?: number
  /** Weight of a weak name (only the any-role lists know it; 0 leaves them out). */
  weakWeight?: number
}

/**
 * Dev-time: trains the weights on the logistic loss, classes weighted to balance,
 * a fixed seed and order (same inputs give the same bytes).
 */
export function trainNameModel(names: Iterable<string>, nonNames: Iterable<string>, options: TrainOptions = {}, weakNames: Iterable<string> = []): NameModel {
  const bits = options.bits ?? DEFAULT_SHAPE.bits
  const minN = options.minN ?? DEFAULT_SHAPE.minN
  const maxN = options.maxN ?? DEFAULT_SHAPE.maxN
  const epochs = options.epochs ?? 6
  const adagrad = options.optimizer === 'adagrad'
  const baseRate = options.rate ?? (adagrad ? 0.3 : 0.2)
  const l2 = options.l2 ?? 1e-6
  const cellCount = 1 << bits
  const weak = options.weakWeight ?? DEFAULT_WEAK_WEIGHT
  // [word, label, sample weight]; classes balanced by total weight.
  const data: [string, number, number][] = []
  for (const w of names) data.push([w, 1, 1])
  if (weak > 0) for (const w of weakNames) data.push([w, 1, weak])
  const nPos = data.reduce((a, x) => a + x[2], 0)
  const positives = data.length
  for (const w of nonNames) data.push([w, 0, 1])
  const nNeg = data.length - positives
  data.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]))
  const total = nPos + nNeg
  const weightOf = [total / (2 * Math.max(1, nNeg)), total / (2 * Math.max(1, nPos))]
  const w = new Float64Array(cellCount)
  const g2 = adagrad ? new Float64Array(cellCount) : undefined
  let bias = 0
  let biasG2 = 0
  const rand = mulberry(8)
  const order = Array.from(data.keys())
  const cells: number[] = []
  const buf: number[] = []
  const push = (c: number) => { cells.push(c) }
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); const x = order[i]!; order[i] = order[j]!; order[j] = x }
    const rate = adagrad ? baseRate : baseRate / (1 + epoch)
    for (const idx of order) {
      const [word, label, sampleWeight] = data[idx]!
      cells.length = 0
      forEachCell(word, buf, bits, minN, maxN, push)
      let z = bias
      for (const c of cells) z += w[c]!
      const p = 1 / (1 + Math.exp(-z))
      const g = (p - label) * weightOf[label]! * sampleWeight
      if (g2 !== undefined) {
        biasG2 += g * g
        bias -= (rate * 0.1 * g) / Math.sqrt(biasG2 + 1e-8)
        for (const c of cells) {
          const gc = g + l2 * w[c]!
          g2[c] = g2[c]! + gc * gc
          w[c] = w[c]! - (rate * gc) / Math.sqrt(g2[c]! + 1e-8)
        }
      } else {
        bias -= g * rate * 0.1
        for (const c of cells) w[c] = w[c]! - g * rate - l2 * w[c]!
      }
    }
  }
  let max = 0
  for (const x of w) if (Math.abs(x) > max) max = Math.abs(x)
  const scale = max === 0 ? 1 : 127 / max
  const table = new Int8Array(cellCount)
  for (let i = 0; i < cellCount; i++) table[i] = Math.round(w[i]! * scale)
  return { table, scale, bias: Math.round(bias * scale), bits, minN, maxN }
}

export function encodeNameModel(model: NameModel): string {
  const header = `${model.scale.toPrecision(9)},${model.bias},${model.bits},${model.minN},${model.maxN};`
  return header + Buffer.from(model.table.buffer, model.table.byteOffset, model.table.byteLength).toString('base64')
}

/** Header `scale,bias[,bits,minN,maxN]` (round 2's files have the first two only: 2^17 cells, 2- to 5-grams). */
export function decodeNameModel(text: string): NameModel {
  const at = text.indexOf(';')
  const header = text.slice(0, at).split(',').map(Number)
  const [scale, bias] = header as [number, number]
  const bits = header[2] ?? DEFAULT_SHAPE.bits
  const minN = header[3] ?? DEFAULT_SHAPE.minN
  const maxN = header[4] ?? DEFAULT_SHAPE.maxN
  const bytes = Buffer.from(text.slice(at + 1), 'base64')
  if (bytes.byteLength !== 1 << bits) throw new Error(`name model: expected ${1 << bits} cells, got ${bytes.byteLength}`)
  return { table: new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), scale, bias, bits, minN, maxN }
}

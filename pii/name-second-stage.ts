// Learned second stage (round 5) for the Latin name candidates only the model can judge: a small
// logistic regression per candidate kind over per-candidate features, in place of the hand-set
// cut-offs of MODEL_CUTS (pair, min, concat, initialAlone, thresholdInitial).
//   words    a run of two or three words the lexicon rules did not accept (`Ilkka Hämäläinen`)
//   initial  an initial and a surname in no surname list (`k.nowakowska`, `kvirtanen`)
//   glued    one lower-case word split into two halves (`tuulamakinen`)
// Weights are fitted at development time (scripts/name-dev-second-stage.ts) on validation names
// against the tuning and validation negatives; the cut is the operating point chosen there.
// Features are written into one preallocated array per kind: the work runs only on candidates.

export type CandidateKind = 'words' | 'initial' | 'glued'

/** Log-odds are clipped: a word the model rates -13 says no more than one at -8. */
export const ODDS_CLIP = 8
export const clipOdds = (o: number): number => (o > ODDS_CLIP ? ODDS_CLIP : o < -ODDS_CLIP ? -ODDS_CLIP : o)

/** Feature names per kind, in order (the weights follow the same order, bias first). */
export const FEATURES: Record<CandidateKind, readonly string[]> = {
  words: ['three words', 'share judged', 'min odds', 'sum odds', 'max odds', 'given', 'surname', 'any-role only', 'everyday', 'foreign',
    'unjudged', 'min length', 'max length', 'space', 'dot', 'underscore', 'dash', 'camel', 'comma', 'title case', 'upper', 'lower'],
  initial: ['glued', 'odds', 'any-role', 'given', 'length', 'dot', 'capitalised', 'upper', 'listed surname minus ending'],
  glued: ['odds first', 'odds last', 'given first', 'surname last', 'min odds', 'first length', 'last length', 'any-role first', 'any-role last', 'whole odds'],
}

export interface StageWeights { bias: number; w: readonly number[]; cut: number }

/**
 * enabled false, or a kind's cut NaN: the hand-set MODEL_CUTS rules decide (round 2's detector). record (dev only):
 * called with every candidate's features; the candidate is then accepted whatever its logit.
 */
export const SECOND_STAGE: {
  enabled: boolean
  /** Candidates holding a word a name list knows go to the hand rules (false: round 5's first fit, dev only). */
  listedToHandRules: boolean
  record: ((kind: CandidateKind, x: Float64Array, start: number, end: number) => void) | undefined
  weights: Record<CandidateKind, StageWeights>
} = {
  // Off (round 5's measured negative result, docs/names.md): held out, the fit below found more names
  // (R 0.689 -> 0.702) at a little less precision (0.9424 -> 0.9416) and lower single-token shapes.
  enabled: false,
  listedToHandRules: true,
  record: undefined,
  // Fitted by scripts/name-dev-second-stage.ts (round 5; name-list features left out, runs with a listed
  // word left to the hand rules); cuts: the most validation recall with every validation negatives part
  // flagged no more than round 2's hand rules (`--set words=0.5,initial=-0.25,glued=NaN`). Glued halves
  // stay with the hand rule: the fit (AUC 0.77) was no better than its sum of log-odds (0.75).
  weights: {
    words: { bias: -3.4451, w: [-3.1445, 5.0805, 0.4413, 0.0705, 0.4159, 0, 0, 0, 7.5479, -3.0038, -2.2823, -2.3799, -1.9638, -0.2878, 0.7996, 0.7996, 0.5886, -0.8383, 0.2987, 1.9696, 1.3593, 0.2724], cut: 0.5 },
    initial: { bias: 0.8545, w: [-0.1992, 0.3683, 0, 0, -3.4144, 0.1992, 0, 0, 0], cut: -0.25 },
    glued: { bias: -1.1867, w: [0.1272, 0.1861, 0, 0, 0.0013, -1.0678, 0.0218, 0, 0, 0.0976], cut: NaN },
  },
}

export const features: Record<CandidateKind, Float64Array> = {
  words: new Float64Array(FEATURES.words.length),
  initial: new Float64Array(FEATURES.initial.length),
  glued: new Float64Array(FEATURES.glued.length),
}

/** The learned stage decides candidates of this kind (else the hand-set MODEL_CUTS rules). */
export function learned(kind: CandidateKind): boolean {
  return SECOND_STAGE.enabled && !Number.isNaN(SECOND_STAGE.weights[kind].cut)
}

export function logit(kind: CandidateKind): number {
  const { bias, w } = SECOND_STAGE.weights[kind]
  const x = features[kind]
  let s = bias
  for (let k = 0; k < x.length; k++) s += (w[k] ?? 0) * x[k]!
  return s
}

/** The features of `kind` (already written) make a name: logit at or above the kind's cut (always, while recording). */
export function accepts(kind: CandidateKind, start: number, end: number): boolean {
  const record = SECOND_STAGE.record
  if (record !== undefined) { record(kind, features[kind], start, end); return true }
  return logit(kind) >= SECOND_STAGE.weights[kind].cut
}

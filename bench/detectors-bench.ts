// Question: how many telemetry identifiers per second can detectPii classify
// on one core, cold (no pseudonym cache in front), for a realistic mix?
//
// Method: a seeded mix shaped like getStats ids and labels - mostly opaque
// values (UUIDs, `PC-12`-style peer ids, SSRC numbers, RTCStats ids, track
// ids), some conference slugs, ~5% personal values (names, phones, e-mails,
// SIP URIs, ICE candidates with IPs). Warm up the JIT, then time several full
// passes over the mix with detectPii. Baseline, measured in the same run: a
// pass that only lower-cases each value, the floor any classifier pays to look
// at its input. Also: personal-looking values alone (the issue's >= 200k/s),
// names in no lexicon that only the n-gram model judges, and the cold load of
// the name lexicon and model (time and heap). Prints JSON figures and one human line.
import { detectPii } from '../pii/detect-pii.ts'
import { loadNameLexicon } from '../pii/names-lexicon.ts'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { makeMix, PERSONAL } from './identifier-mix.ts'

// Cold load first, before anything else touches the lexicon; heap retained after a full GC.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
gc()
const heapBefore = process.memoryUsage().heapUsed
const tLoad = process.hrtime.bigint()
loadNameLexicon()
const loadMs = Number(process.hrtime.bigint() - tLoad) / 1e6
gc()
const loadHeapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6

function timePasses(mix: readonly string[], passes: number, work: (s: string) => number): { perSecond: number; checksum: number } {
  let checksum = 0
  const t0 = process.hrtime.bigint()
  for (let p = 0; p < passes; p++) for (const s of mix) checksum += work(s)
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  return { perSecond: (mix.length * passes) / seconds, checksum }
}

const mix = makeMix(100_000)
const classify = (s: string) => detectPii(s).length
const baseline = (s: string) => s.toLowerCase().length
timePasses(mix, 1, classify) // warm-up: JIT and the lexicon load
timePasses(mix, 1, baseline)
const detect = timePasses(mix, 5, classify)
const floor = timePasses(mix, 5, baseline)
const personalShare = mix.filter((s) => PERSONAL.includes(s)).length / mix.length
const personal = Array.from({ length: 10_000 }, (_, i) => PERSONAL[i % PERSONAL.length]!)
timePasses(personal, 1, classify)
const personalRate = timePasses(personal, 5, classify)
// Names whose words are in no lexicon: the model decides (`tuulamakinen`, `Ngozi Adeyemi-Okafor` style).
const UNKNOWN = ['Wolmerans Heefer', 'kalevi.lantsheer', 'ABEKE NWOSUEBI', 'tuulamakkonen', 'k.wierzbowska', 'Ozolina, Baiba', 'strydom-karel-42']
const unknown = Array.from({ length: 10_000 }, (_, i) => UNKNOWN[i % UNKNOWN.length]!)
timePasses(unknown, 1, classify)
const unknownRate = timePasses(unknown, 5, classify)

console.log(JSON.stringify({
  benchmark: 'detectors', identifiers: mix.length, passes: 5, personalShare: +personalShare.toFixed(3),
  detectPiiPerSecond: Math.round(detect.perSecond), baselineLowerCasePerSecond: Math.round(floor.perSecond),
  spansPerPass: detect.checksum / 5, personalPerSecond: Math.round(personalRate.perSecond),
  unknownNamePerSecond: Math.round(unknownRate.perSecond), lexiconLoadMs: +loadMs.toFixed(1), lexiconHeapMb: +loadHeapMb.toFixed(1), node: process.version,
}))
console.log(`detectPii classified ${(detect.perSecond / 1e6).toFixed(2)}M identifiers/s cold on one core `
  + `(target >= 1M/s; baseline toLowerCase ${(floor.perSecond / 1e6).toFixed(1)}M/s; ${(personalShare * 100).toFixed(1)}% personal); `
  + `personal values ${(personalRate.perSecond / 1e3).toFixed(0)}k/s (target >= 200k/s), names in no lexicon ${(unknownRate.perSecond / 1e3).toFixed(0)}k/s; `
  + `lexicon+model load ${loadMs.toFixed(0)} ms, ${loadHeapMb.toFixed(1)} MB heap (targets < 300 ms, < 30 MB)`)

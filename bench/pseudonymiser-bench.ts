// Question: how fast does one core turn identifiers into pseudonyms, uncached (every
// value new: HMAC-SHA256 per value) and cached (the same call's ids every second)?
// Targets from issue 3: >= 250k/s uncached, >= 5M/s cached.
//
// Method: the seeded realistic mix of bench/identifier-mix.ts. Uncached: each pass uses a
// fresh value set (a pass number appended) and a pseudonymiser whose cache cannot hold
// it, through TenantPseudonymiser.pseudonym. Cached: the same 2,000 values (a few hundred
// calls' ids) over and over. Also the policy's `detect` path (FieldTransformer.scrub),
// cold and cached. Baseline measured in the same run: a bare createHmac per value.
import { createHmac, randomBytes } from 'node:crypto'
import { createFieldTransformerFactory } from '../policy/field-transformer.ts'
import { createPseudonymiser, type KeySource } from '../keyring/pseudonymiser.ts'
import { makeMix } from './identifier-mix.ts'

const key = { version: 1, key: randomBytes(32) }
const keys: KeySource = { currentKey: async () => key }

function rate(values: readonly string[], passes: number, work: (s: string) => unknown): number {
  const t0 = process.hrtime.bigint()
  for (let p = 0; p < passes; p++) for (const v of values) work(v)
  return (values.length * passes) / (Number(process.hrtime.bigint() - t0) / 1e9)
}

const mix = makeMix(200_000)
const fresh = (pass: number) => mix.map((v) => `${v}#${pass}`)

// Uncached: a cache of one entry is never hit by a stream of new values.
const uncached = await createPseudonymiser(keys, { cacheSize: 1 }).forTenant('acme')
rate(fresh(0), 1, (v) => uncached.pseudonym('id', v))
const uncachedRate = rate(fresh(1), 1, (v) => uncached.pseudonym('id', v))
const hmacRate = rate(fresh(2), 1, (v) => createHmac('sha256', key.key).update('id\0').update(v).digest())

const hot = mix.slice(0, 2000)
const cached = await createPseudonymiser(keys).forTenant('acme')
rate(hot, 5, (v) => cached.pseudonym('id', v))
const cachedRate = rate(hot, 1000, (v) => cached.pseudonym('id', v))

const transformerFor = createFieldTransformerFactory({ cacheSize: 1 })
const scrubCold = transformerFor(uncached, {})
rate(fresh(3).slice(0, 20_000), 1, (v) => scrubCold.scrub(v))
const scrubColdRate = rate(fresh(4), 1, (v) => scrubCold.scrub(v))
const scrubHot = createFieldTransformerFactory()(cached, {})
rate(hot, 5, (v) => scrubHot.scrub(v))
const scrubCachedRate = rate(hot, 1000, (v) => scrubHot.scrub(v))

const figures = {
  benchmark: 'pseudonymiser',
  uncachedPerSecond: Math.round(uncachedRate),
  cachedPerSecond: Math.round(cachedRate),
  bareCreateHmacPerSecond: Math.round(hmacRate),
  detectAndReplaceColdPerSecond: Math.round(scrubColdRate),
  detectAndReplaceCachedPerSecond: Math.round(scrubCachedRate),
  node: process.version,
}
process.stdout.write(`BENCH ${JSON.stringify(figures)}\n`)
const m = (n: number) => `${(n / 1e6).toFixed(2)}M/s`
process.stdout.write(
  `pseudonyms: uncached ${m(uncachedRate)} (target >= 0.25M/s; bare createHmac ${m(hmacRate)}, ratio ${(uncachedRate / hmacRate).toFixed(2)}), ` +
    `cached ${m(cachedRate)} (target >= 5M/s); policy detect+replace: cold ${m(scrubColdRate)}, cached ${m(scrubCachedRate)}\n`,
)

// The other languages' everyday words and the dictionary words the model would misread are loaded as hashes (decodeHashed): every listed word
// must read as listed, and words of the other lists (given names, surnames) almost never.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeFrontCoded, decodeHashed } from '../../pii/names-lexicon.ts'

const file = JSON.parse(readFileSync(new URL('../../pii/names-lexicon.json', import.meta.url), 'utf8')) as Record<string, string>

describe('hashed word list', () => {
  // foreignWords: the other languages' everyday words; dictWords (round 4): English dictionary words the model scores name-like.
  for (const [key, least] of [['foreignWords', 100_000], ['dictWords', 50_000]] as const) {
    it(`${key}: holds every word of the front-coded list, and no more than chance of the others`, () => {
      const words = decodeFrontCoded(file[key]!)
      const hashed = decodeHashed(file[key]!)
      expect(words.size).toBeGreaterThan(least)
      for (const w of words) if (!hashed.has(w)) expect.fail(`missing ${w}`)
      const others = [...decodeFrontCoded(file.given!), ...decodeFrontCoded(file.surnames!)].filter((w) => !words.has(w))
      const collisions = others.filter((w) => hashed.has(w))
      expect(collisions.length, collisions.slice(0, 5).join(' ')).toBeLessThanOrEqual(2)
    })
  }
})

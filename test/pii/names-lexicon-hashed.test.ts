// The other languages' everyday words are loaded as hashes (decodeHashed): every listed word
// must read as listed, and words of the other lists (given names, surnames) almost never.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeFrontCoded, decodeHashed } from '../../pii/names-lexicon.ts'

const file = JSON.parse(readFileSync(new URL('../../pii/names-lexicon.json', import.meta.url), 'utf8')) as Record<string, string>

describe('hashed word list', () => {
  it('holds every word of the front-coded list, and no more than chance of the others', () => {
    const words = decodeFrontCoded(file.foreignWords!)
    const hashed = decodeHashed(file.foreignWords!)
    expect(words.size).toBeGreaterThan(100_000)
    for (const w of words) if (!hashed.has(w)) expect.fail(`missing ${w}`)
    const others = [...decodeFrontCoded(file.given!), ...decodeFrontCoded(file.surnames!)].filter((w) => !words.has(w))
    const collisions = others.filter((w) => hashed.has(w))
    expect(collisions.length, collisions.slice(0, 5).join(' ')).toBeLessThanOrEqual(2)
  })
})

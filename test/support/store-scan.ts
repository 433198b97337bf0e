// Scans every file under a directory (a JetStream store dir) for byte strings, the way
// someone holding a copy of the disk would: raw bytes, not through the NATS API.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

export interface StoreHit {
  /** The needle's label. */
  what: string
  /** The file, relative to the scanned directory. */
  file: string
  count: number
}

export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? filesUnder(path) : [path]
  })
}

export function scanStore(dir: string, needles: ReadonlyMap<string, Buffer>): StoreHit[] {
  const hits: StoreHit[] = []
  for (const path of filesUnder(dir)) {
    const data = readFileSync(path)
    for (const [what, needle] of needles) {
      let count = 0
      for (let at = data.indexOf(needle); at >= 0; at = data.indexOf(needle, at + 1)) count += 1
      if (count > 0) hits.push({ what, file: relative(dir, path), count })
    }
  }
  return hits
}

/** The forms a 32-byte key could take on disk: raw, hex, base64, base64url. */
export function keyForms(label: string, key: Buffer): [string, Buffer][] {
  return [
    [`${label} raw`, key],
    [`${label} hex`, Buffer.from(key.toString('hex'))],
    [`${label} base64`, Buffer.from(key.toString('base64'))],
    [`${label} base64url`, Buffer.from(key.toString('base64url'))],
  ]
}

/** A sealed key as stored (the JSON string) and its payload raw and in standard base64. */
export function sealedForms(label: string, sealed: string): [string, Buffer][] {
  const payload = Buffer.from(sealed.split('.')[2] ?? '', 'base64url')
  return [
    [`${label} sealed`, Buffer.from(sealed)],
    [`${label} sealed payload raw`, payload],
    [`${label} sealed payload base64`, Buffer.from(payload.toString('base64'))],
  ]
}

// The folder rule of README "Layout": service folders never import one another, shared
// folders never import a service folder or the wiring. Read from the import lines of every
// TypeScript file git tracks.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { describe, expect, it } from 'vitest'

const services = ['ingest', 'processor', 'api']
const shared = ['lib', 'schemas', 'keyring', 'pii', 'policy', 'storage', 'sdk', 'rtcstats', 'privacy']
const wiring = ['app', 'bin']

const files = execFileSync('git', ['ls-files', '*.ts'], { encoding: 'utf8' }).split('\n').filter(Boolean)
const topOf = (path: string) => normalize(path).split('/')[0]!

function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8')
  return [...source.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => topOf(join(dirname(file), m[1]!)))
}

describe('layout', () => {
  it('finds the folders it checks', () => {
    for (const folder of [...services, ...shared, ...wiring]) expect(files.some((f) => topOf(f) === folder), folder).toBe(true)
  })

  it('no service folder imports another; no shared folder imports a service or the wiring', () => {
    const violations: string[] = []
    for (const file of files) {
      const from = topOf(file)
      if (!services.includes(from) && !shared.includes(from)) continue
      for (const to of importsOf(file)) {
        if (to === from) continue
        if (services.includes(to) || wiring.includes(to)) violations.push(`${file} imports ${to}/`)
      }
    }
    expect(violations).toEqual([])
  })
})

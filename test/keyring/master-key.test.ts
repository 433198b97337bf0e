// Unit tests of master key loading: accepted encodings, and errors that are clear
// sentences without the key in them.
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { MasterKeyError } from '../../keyring/keyring-errors.ts'
import { createMasterKey, loadMasterKey, masterKeyBytes } from '../../keyring/master-key.ts'

const bytes = randomBytes(32)
const dir = mkdtempSync(join(tmpdir(), 'callmask-master-key-'))

function loadError(source: { env?: string; file?: string }): MasterKeyError {
  try {
    loadMasterKey(source)
  } catch (error) {
    expect(error).toBeInstanceOf(MasterKeyError)
    expect(error).toMatchObject({ code: 'CALLMASK_ERR_MASTER_KEY' })
    return error as MasterKeyError
  }
  throw new Error('expected loadMasterKey to fail')
}

describe('loadMasterKey', () => {
  it.each([
    ['base64', bytes.toString('base64')],
    ['base64url', bytes.toString('base64url')],
    ['hex', bytes.toString('hex')],
    ['upper-case hex', bytes.toString('hex').toUpperCase()],
    ['base64 with a trailing newline', bytes.toString('base64') + '\n'],
  ])('accepts %s in the environment', (_name, env) => {
    expect(masterKeyBytes(loadMasterKey({ env })).equals(bytes)).toBe(true)
  })

  it('reads a file holding the key', () => {
    const file = join(dir, 'master.key')
    writeFileSync(file, bytes.toString('base64') + '\n')
    expect(masterKeyBytes(loadMasterKey({ file })).equals(bytes)).toBe(true)
  })

  it('gives one id per key', () => {
    expect(loadMasterKey({ env: bytes.toString('hex') }).id).toBe(loadMasterKey({ env: bytes.toString('base64') }).id)
    expect(createMasterKey(randomBytes(32)).id).not.toBe(createMasterKey(bytes).id)
    expect(createMasterKey(bytes).id).toMatch(/^[0-9a-f]{8}$/)
  })

  it('explains a missing key', () => {
    expect(loadError({}).message).toMatch(/No master key was given: set CALLMASK_MASTER_KEY .* or CALLMASK_MASTER_KEY_FILE/)
    expect(loadError({ env: '  ' }).message).toMatch(/No master key/)
  })

  it('refuses both sources at once', () => {
    expect(loadError({ env: bytes.toString('hex'), file: '/x' }).message).toMatch(/set only one/)
  })

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['too long', randomBytes(48).toString('hex')],
    ['not an encoding', 'correct horse battery staple, which is not a key!!'],
    ['hex one digit short', bytes.toString('hex').slice(1)],
  ])('refuses a key that is %s, without printing it', (_name, env) => {
    const error = loadError({ env })
    expect(error.message).toMatch(/CALLMASK_MASTER_KEY is not a valid master key: it must be exactly 32 bytes/)
    expect(error.message).not.toContain(env.slice(0, 8))
    expect(JSON.stringify(error)).not.toContain(env.slice(0, 8))
  })

  it('explains a missing or unreadable file', () => {
    expect(loadError({ file: join(dir, 'nope.key') }).message).toBe(`The master key file ${join(dir, 'nope.key')} does not exist.`)
    const bad = join(dir, 'bad.key')
    writeFileSync(bad, 'short')
    expect(loadError({ file: bad }).message).toMatch(/^The master key file .*bad\.key is not a valid master key/)
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked.key')
      writeFileSync(locked, bytes.toString('base64'))
      chmodSync(locked, 0o000)
      expect(loadError({ file: locked }).message).toMatch(/is not readable/)
    }
  })

  it('keeps the bytes off the object: JSON, inspect and String show only the id', () => {
    const key = loadMasterKey({ env: bytes.toString('base64') })
    const shown = [JSON.stringify(key), inspect(key, { showHidden: true, depth: 5 }), String(key), JSON.stringify({ key })]
    for (const text of shown) {
      for (const encoding of ['hex', 'base64'] as const) expect(text).not.toContain(bytes.toString(encoding).slice(0, 10))
    }
    expect(JSON.parse(JSON.stringify(key))).toEqual({ id: key.id })
    expect(Object.keys(key)).toEqual(['id'])
  })

  it('refuses a look-alike object as a master key', () => {
    expect(() => masterKeyBytes({ id: '00000000' })).toThrow(MasterKeyError)
  })
})

// Unit tests of the AES-256-GCM sealing of tenant keys: no server needed.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { openKey, sealKey } from '../../keyring/key-sealing.ts'
import { KeyringLockedError, KeyringTamperedError } from '../../keyring/keyring-errors.ts'
import { createMasterKey } from '../../keyring/master-key.ts'

const masterKey = createMasterKey(randomBytes(32))
const context = { tenant: 'acme', version: 3 }

function flipCharAt(sealed: string, index: number): string {
  const chars = [...sealed]
  chars[index] = chars[index] === 'A' ? 'B' : 'A'
  return chars.join('')
}

describe('key sealing', () => {
  it('opens what it sealed', () => {
    const key = randomBytes(32)
    expect(openKey(masterKey, sealKey(masterKey, key, context), context).equals(key)).toBe(true)
  })

  it('uses a fresh IV per seal, so sealing one key twice gives two blobs', () => {
    const key = randomBytes(32)
    const a = sealKey(masterKey, key, context)
    const b = sealKey(masterKey, key, context)
    expect(a).not.toBe(b)
    expect(a.split('.')[2]!.slice(0, 16)).not.toBe(b.split('.')[2]!.slice(0, 16))
  })

  it('names the master key by id and keeps the key bytes out of the blob', () => {
    const key = randomBytes(32)
    const sealed = sealKey(masterKey, key, context)
    expect(sealed.startsWith(`gcm1.${masterKey.id}.`)).toBe(true)
    for (const encoding of ['hex', 'base64', 'base64url'] as const) {
      expect(sealed).not.toContain(key.toString(encoding).slice(0, 12))
    }
    // iv (12) + ciphertext (32) + tag (16)
    expect(Buffer.from(sealed.split('.')[2]!, 'base64url')).toHaveLength(60)
  })

  it('refuses a blob moved to another tenant', () => {
    const sealed = sealKey(masterKey, randomBytes(32), context)
    expect(() => openKey(masterKey, sealed, { tenant: 'globex', version: 3 })).toThrow(KeyringTamperedError)
  })

  it('refuses a blob moved to another version of the same tenant', () => {
    const sealed = sealKey(masterKey, randomBytes(32), context)
    expect(() => openKey(masterKey, sealed, { tenant: 'acme', version: 4 })).toThrow(/altered, or copied from another tenant or version/)
  })

  it('refuses a blob with a changed IV, ciphertext or tag', () => {
    const sealed = sealKey(masterKey, randomBytes(32), context)
    const start = sealed.lastIndexOf('.') + 1
    for (const offset of [2, 30, sealed.length - start - 4]) {
      const error = captureError(() => openKey(masterKey, flipCharAt(sealed, start + offset), context))
      expect(error).toBeInstanceOf(KeyringTamperedError)
      expect(error).toMatchObject({ code: 'CALLMASK_ERR_KEYRING_TAMPERED' })
    }
  })

  it('refuses malformed and truncated blobs', () => {
    const sealed = sealKey(masterKey, randomBytes(32), context)
    expect(() => openKey(masterKey, 'not a blob', context)).toThrow(/malformed/)
    expect(() => openKey(masterKey, sealed.replace('gcm1', 'gcm9'), context)).toThrow(/malformed/)
    expect(() => openKey(masterKey, sealed.slice(0, sealed.lastIndexOf('.') + 20), context)).toThrow(/truncated/)
  })

  it('says clearly when the master key is not the one the key was sealed with', () => {
    const sealed = sealKey(masterKey, randomBytes(32), context)
    const other = createMasterKey(randomBytes(32))
    const error = captureError(() => openKey(other, sealed, context))
    expect(error).toBeInstanceOf(KeyringLockedError)
    expect(error).toMatchObject({ code: 'CALLMASK_ERR_KEYRING_LOCKED' })
    expect((error as Error).message).toContain(`sealed under master key ${masterKey.id}`)
    expect((error as Error).message).toContain(`holds master key ${other.id}`)
  })

  it('refuses a blob whose master key id was forged to match', () => {
    const other = createMasterKey(randomBytes(32))
    const sealed = sealKey(other, randomBytes(32), context).replace(other.id, masterKey.id)
    expect(() => openKey(masterKey, sealed, context)).toThrow(KeyringTamperedError)
  })
})

function captureError(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}

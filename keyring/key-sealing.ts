// Seals tenant keys with AES-256-GCM under the master key. A sealed key is the string
// `gcm1.<master key id>.<base64url(iv | ciphertext | tag)>` with a fresh random 96-bit IV
// per seal. The tenant and version are additional authenticated data, so a blob copied to
// another tenant or version fails to open instead of silently lending its key there.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { KeyringLockedError, KeyringTamperedError } from './keyring-errors.ts'
import { masterKeyBytes, type MasterKey } from './master-key.ts'

export interface SealContext {
  tenant: string
  version: number
}

const scheme = 'gcm1'
const ivLength = 12
const tagLength = 16

export function sealKey(masterKey: MasterKey, plaintext: Uint8Array, context: SealContext): string {
  const iv = randomBytes(ivLength)
  const cipher = createCipheriv('aes-256-gcm', masterKeyBytes(masterKey), iv, { authTagLength: tagLength })
  cipher.setAAD(additionalData(context))
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  const payload = Buffer.concat([iv, ciphertext, cipher.getAuthTag()])
  return `${scheme}.${masterKey.id}.${payload.toString('base64url')}`
}

export function openKey(masterKey: MasterKey, sealed: string, context: SealContext): Buffer {
  const what = `the sealed key of tenant "${context.tenant}" version ${context.version}`
  const [prefix, keyId, encoded, ...rest] = sealed.split('.')
  if (prefix !== scheme || !keyId || !/^[0-9a-f]{8}$/.test(keyId) || !encoded || rest.length > 0) {
    throw new KeyringTamperedError(`${capitalise(what)} is malformed: it is not a ${scheme} blob.`)
  }
  if (keyId !== masterKey.id) {
    throw new KeyringLockedError(
      `${capitalise(what)} was sealed under master key ${keyId}, but this process holds master key ${masterKey.id}: start it with the master key the keyring was created with.`,
    )
  }
  const payload = Buffer.from(encoded, 'base64url')
  if (payload.length <= ivLength + tagLength) {
    throw new KeyringTamperedError(`${capitalise(what)} is truncated.`)
  }
  const decipher = createDecipheriv('aes-256-gcm', masterKeyBytes(masterKey), payload.subarray(0, ivLength), {
    authTagLength: tagLength,
  })
  decipher.setAAD(additionalData(context))
  decipher.setAuthTag(payload.subarray(payload.length - tagLength))
  try {
    return Buffer.concat([decipher.update(payload.subarray(ivLength, payload.length - tagLength)), decipher.final()])
  } catch (error) {
    throw new KeyringTamperedError(
      `${capitalise(what)} failed authentication: it was altered, or copied from another tenant or version.`,
      { cause: error },
    )
  }
}

// NUL separators: tenant ids cannot contain NUL, so no two contexts share an encoding.
function additionalData({ tenant, version }: SealContext): Buffer {
  return Buffer.from(`callmask-keyring/${scheme}\0${tenant}\0${version}`, 'utf8')
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

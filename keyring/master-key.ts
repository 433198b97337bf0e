// The master key seals every tenant key at rest. It comes from the environment or a file
// (the caller reads both; nothing here touches process.env) as 32 bytes in base64 or hex.
// The bytes live in a WeakMap, not on the object, so logging, JSON or inspecting a
// MasterKey shows only its public id; `masterKeyBytes` is the one narrow way to them.
import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { MasterKeyError } from './keyring-errors.ts'

export interface MasterKey {
  /** 8 hex digits derived from the key by HMAC: safe to log, stored beside each sealed key. */
  readonly id: string
}

export interface MasterKeySource {
  /** The value of CALLMASK_MASTER_KEY: 32 bytes as base64 (or base64url) or hex. */
  env?: string
  /** The value of CALLMASK_MASTER_KEY_FILE: a file holding such a string. */
  file?: string
}

const masterKeyLength = 32
const secrets = new WeakMap<MasterKey, Buffer>()

export function loadMasterKey({ env, file }: MasterKeySource): MasterKey {
  const hasEnv = env !== undefined && env.trim() !== ''
  const hasFile = file !== undefined && file.trim() !== ''
  if (hasEnv && hasFile) {
    throw new MasterKeyError('Both CALLMASK_MASTER_KEY and CALLMASK_MASTER_KEY_FILE are set; set only one so it is clear which key seals the keyring.')
  }
  if (hasEnv) return parseMasterKey(env, 'CALLMASK_MASTER_KEY')
  if (hasFile) return parseMasterKey(readKeyFile(file), `The master key file ${file}`)
  throw new MasterKeyError(
    'No master key was given: set CALLMASK_MASTER_KEY to 32 random bytes in base64 or hex (e.g. `openssl rand -base64 32`) or CALLMASK_MASTER_KEY_FILE to a file holding one.',
  )
}

/** Parses a base64 or hex string; `where` names the source in the error, never the value. */
export function parseMasterKey(text: string, where = 'The master key'): MasterKey {
  const value = text.trim()
  let bytes: Buffer | undefined
  if (/^[0-9a-fA-F]{64}$/.test(value)) bytes = Buffer.from(value, 'hex')
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) bytes = Buffer.from(value, 'base64')
  if (!bytes || bytes.length !== masterKeyLength) {
    throw new MasterKeyError(
      `${where} is not a valid master key: it must be exactly 32 bytes written as 64 hex digits or 44 base64 characters (it has ${value.length} characters).`,
    )
  }
  return createMasterKey(bytes)
}

/** Wraps raw bytes (copied) as a MasterKey. */
export function createMasterKey(bytes: Uint8Array): MasterKey {
  if (bytes.length !== masterKeyLength) {
    throw new MasterKeyError(`A master key must be exactly 32 bytes; ${bytes.length} were given.`)
  }
  const secret = Buffer.from(bytes)
  const id = createHmac('sha256', secret).update('callmask keyring master key id').digest('hex').slice(0, 8)
  const key: MasterKey = Object.freeze({ id })
  secrets.set(key, secret)
  return key
}

/** The raw bytes, for the sealing code only. */
export function masterKeyBytes(key: MasterKey): Buffer {
  const secret = secrets.get(key)
  if (!secret) throw new MasterKeyError('This object is not a master key made by loadMasterKey or createMasterKey.')
  return secret
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by this process' : `could not be read (${code ?? 'unknown error'})`
    throw new MasterKeyError(`The master key file ${path} ${reason}.`, { cause: error })
  }
}

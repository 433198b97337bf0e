// The JSON document stored per tenant in the keyring bucket. Only sealed keys appear in it.
// Versions only ever grow, even across destroy: a destroyed tenant keeps a tombstone with
// its old version numbers, so a fresh key gets a new number and `p_k1_...` never names two keys.
import { KeyringCorruptError } from './keyring-errors.ts'

export interface KeyVersionRecord {
  version: number
  /** ISO 8601. */
  createdAt: string
  /** The sealed key (see key-sealing.ts); absent once destroyed. */
  key?: string
  destroyedAt?: string
}

export interface KeyringDocument {
  format: 1
  tenant: string
  /** The version new pseudonyms use; 0 when the tenant has no live key (after destroy). */
  current: number
  versions: KeyVersionRecord[]
}

export function encodeDocument(doc: KeyringDocument): Uint8Array {
  return Buffer.from(JSON.stringify(doc), 'utf8')
}

/** Parses and checks an entry; `tenant` is the one its KV key names. */
export function decodeDocument(bytes: Uint8Array, tenant: string): KeyringDocument {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch (error) {
    throw new KeyringCorruptError(`The keyring entry of tenant "${tenant}" is not JSON.`, { cause: error })
  }
  const problem = findProblem(value, tenant)
  if (problem) throw new KeyringCorruptError(`The keyring entry of tenant "${tenant}" is invalid: ${problem}.`)
  return value as KeyringDocument
}

export function liveVersions(doc: KeyringDocument | null): KeyVersionRecord[] {
  return (doc?.versions ?? []).filter((v) => v.key !== undefined && v.destroyedAt === undefined)
}

export function highestVersion(doc: KeyringDocument | null): number {
  return Math.max(0, ...(doc?.versions ?? []).map((v) => v.version))
}

/** The record of the current version if it still has its key. */
export function currentRecord(doc: KeyringDocument | null): KeyVersionRecord | undefined {
  return liveVersions(doc).find((v) => v.version === doc?.current)
}

export function withNewVersion(doc: KeyringDocument | null, tenant: string, version: number, sealed: string, now: Date): KeyringDocument {
  return {
    format: 1,
    tenant,
    current: version,
    versions: [...(doc?.versions ?? []), { version, createdAt: now.toISOString(), key: sealed }],
  }
}

/** The tombstone: every version kept by number and date, no sealed key left. */
export function destroyedDocument(doc: KeyringDocument, now: Date): KeyringDocument {
  return {
    format: 1,
    tenant: doc.tenant,
    current: 0,
    versions: doc.versions.map(({ version, createdAt, destroyedAt }) => ({
      version,
      createdAt,
      destroyedAt: destroyedAt ?? now.toISOString(),
    })),
  }
}

function findProblem(value: unknown, tenant: string): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object'
  const doc = value as Partial<Record<keyof KeyringDocument, unknown>>
  if (doc.format !== 1) return `unknown format ${JSON.stringify(doc.format)}`
  if (doc.tenant !== tenant) return 'it names another tenant'
  if (!Array.isArray(doc.versions)) return 'versions is not a list'
  const seen = new Set<number>()
  for (const record of doc.versions as unknown[]) {
    if (typeof record !== 'object' || record === null) return 'a version is not an object'
    const { version, createdAt, key, destroyedAt } = record as Record<string, unknown>
    if (!Number.isSafeInteger(version) || (version as number) < 1) return 'a version number is not a positive integer'
    if (seen.has(version as number)) return `version ${String(version)} appears twice`
    seen.add(version as number)
    if (typeof createdAt !== 'string') return `version ${String(version)} has no createdAt`
    if (key !== undefined && typeof key !== 'string') return `version ${String(version)} has a key that is not a string`
    if (destroyedAt !== undefined && typeof destroyedAt !== 'string') return `version ${String(version)} has a bad destroyedAt`
  }
  if (!Number.isSafeInteger(doc.current) || (doc.current !== 0 && !seen.has(doc.current as number))) {
    return 'current names no stored version'
  }
  return undefined
}

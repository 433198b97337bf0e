// Errors of the tenant keyring. Messages name the tenant and version at most: never key
// bytes, never the master key. None is a PermanentProcessingError, so a processor that
// meets one naks the frame and keeps custody until the operator fixes the keyring.
import { CallmaskError } from '../lib/errors.ts'

export const keyringErrorCodes = {
  masterKey: 'CALLMASK_ERR_MASTER_KEY',
  locked: 'CALLMASK_ERR_KEYRING_LOCKED',
  tampered: 'CALLMASK_ERR_KEYRING_TAMPERED',
  corrupt: 'CALLMASK_ERR_KEYRING_CORRUPT',
  conflict: 'CALLMASK_ERR_KEYRING_CONFLICT',
  tenant: 'CALLMASK_ERR_KEYRING_TENANT',
  unavailable: 'CALLMASK_ERR_KEYRING_UNAVAILABLE',
  keyMissing: 'CALLMASK_ERR_TENANT_KEY_MISSING',
} as const

/**
 * The tenant has no key yet and this process may not create one (its NATS user reads the
 * keyring only). Frames wait in JetStream until an operator creates the key.
 */
export class TenantKeyMissingError extends CallmaskError {
  override name = 'TenantKeyMissingError'
  constructor(tenant: string, options?: { cause?: unknown }) {
    super(
      keyringErrorCodes.keyMissing,
      `Tenant "${tenant}" has no key and this process may not create one; its frames wait in JetStream. Create it: npm run keys -- create ${tenant}`,
      options,
    )
  }
}

/** The master key is missing, unreadable or not 32 bytes. */
export class MasterKeyError extends CallmaskError {
  override name = 'MasterKeyError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(keyringErrorCodes.masterKey, message, options)
  }
}

/** A key was sealed under a different master key than the one this process holds. */
export class KeyringLockedError extends CallmaskError {
  override name = 'KeyringLockedError'
  constructor(message: string) {
    super(keyringErrorCodes.locked, message)
  }
}

/** A sealed key failed authentication: altered, truncated, or moved to another tenant or version. */
export class KeyringTamperedError extends CallmaskError {
  override name = 'KeyringTamperedError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(keyringErrorCodes.tampered, message, options)
  }
}

/** A keyring entry is not a document this version of callmask understands. */
export class KeyringCorruptError extends CallmaskError {
  override name = 'KeyringCorruptError'
  /** The KV revision of the unreadable entry, when the store knows it (destroy writes over it). */
  readonly revision?: number
  constructor(message: string, options?: { cause?: unknown; revision?: number }) {
    super(keyringErrorCodes.corrupt, message, options)
    this.revision = options?.revision
  }
}

/** Compare-and-set kept losing to other writers; retrying later is safe. */
export class KeyringConflictError extends CallmaskError {
  override name = 'KeyringConflictError'
  constructor(message: string) {
    super(keyringErrorCodes.conflict, message)
  }
}

/** The tenant id cannot name a keyring entry. */
export class KeyringTenantError extends CallmaskError {
  override name = 'KeyringTenantError'
  constructor(message: string) {
    super(keyringErrorCodes.tenant, message)
  }
}

/** NATS did not answer a keyring read or write; retrying later is safe. */
export class KeyringUnavailableError extends CallmaskError {
  override name = 'KeyringUnavailableError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(keyringErrorCodes.unavailable, message, options)
  }
}

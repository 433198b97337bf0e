// A privacy operation that cannot be done as asked: the API answers with `status` and the
// sentence, the CLI prints the sentence and exits non-zero. Never carries a raw identifier.
import { CallmaskError } from '../lib/errors.ts'

export class PrivacyOperationError extends CallmaskError {
  override name = 'PrivacyOperationError'
  constructor(
    readonly status: 400 | 404 | 409 | 503,
    code: string,
    message: string,
  ) {
    super(code, message)
  }
}

/** Operations that need JetStream and the keyring say so when this process has no admin NATS user. */
export function needsNats<T>(nats: T | undefined, operation: string): T {
  if (!nats) {
    throw new PrivacyOperationError(503, 'CALLMASK_ERR_NO_ADMIN_NATS', `${operation} needs callmask's NATS admin user (NATS_CREDENTIALS_FILE with an "admin" entry) and the master key; this API process has neither.`)
  }
  return nats
}

// The call context of every frame, made fit for storage: participant ids and display names
// are always pseudonymised; conference and peer connection ids keep their readable parts
// and have each detected personal span (a phone number, an e-mail...) replaced.
import type { CallContext } from '../schemas/frames.ts'
import { detectPii, replaceSpans } from './pii/detect-pii.ts'
import type { PiiSpan } from './pii/span.ts'
import type { TenantPseudonymiser } from './pseudonymiser.ts'

export interface CallContextColumns {
  conference_id: string
  participant_id: string
  display_name: string
  peer_connection_id: string
}

/** Names compare equal however they were typed: Unicode-normalised, trimmed, case-folded. */
export const normaliseName = (name: string): string => name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase()

export function scrubIdentifier(value: string, pseudonymiser: TenantPseudonymiser): string {
  const spans = detectPii(value, {})
  if (spans.length === 0) return value
  return replaceSpans(value, spans, (span: PiiSpan) => pseudonymiser.pseudonym(span.kind, span.normalised))
}

export function applyCallContextPolicy(call: CallContext, pseudonymiser: TenantPseudonymiser): CallContextColumns {
  return {
    conference_id: scrubIdentifier(call.conferenceId, pseudonymiser),
    participant_id: pseudonymiser.pseudonym('id', call.participantId),
    display_name: call.displayName ? pseudonymiser.pseudonym('name', normaliseName(call.displayName)) : '',
    peer_connection_id: scrubIdentifier(call.peerConnectionId, pseudonymiser),
  }
}

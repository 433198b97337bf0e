// What an import takes from a dump's `identity` and `connectionInfo` lines. Those lines are
// the app's whole configuration plus the user's display name, ids, the page URL and the user
// agent: personal data. Only the few fields below are read, each a short string, and they
// leave this module only as call-context fields of frames (which the processor pseudonymises
// or scans) or, for the browser family, as a word in the summary. They are never logged.
export interface DumpIdentity {
  /** jitsi's endpoint id of the participant: the frame's participantId. */
  endpointId?: string
  /** The participant's chosen name: the frame's displayName, always pseudonymised. */
  displayName?: string
  /** The room name: the frame's conferenceId, scanned for personal data by the processor. */
  conferenceName?: string
  /** A random id per meeting: the frame's callId. */
  meetingId?: string
  /** chrome_standard, firefox, safari, ... as connectionInfo states it. */
  statsFormat?: string
  browser?: 'chromium' | 'firefox' | 'safari' | 'other'
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

function shortString(value: unknown, max = 256): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined
}

// Both lines were written as objects by jitsi's server, as JSON strings by older ones.
function asObject(payload: unknown): Record<string, unknown> | undefined {
  if (isObject(payload)) return payload
  if (typeof payload !== 'string' || payload.length > 1_000_000) return undefined
  try {
    const parsed: unknown = JSON.parse(payload)
    return isObject(parsed) ? parsed : undefined
  } catch {
    return undefined
  }
}

function browserFamily(statsFormat: string | undefined, userAgent: string | undefined): DumpIdentity['browser'] {
  const format = statsFormat ?? ''
  if (format.startsWith('firefox') || /Firefox\//.test(userAgent ?? '')) return 'firefox'
  if (format.startsWith('safari') || (/Version\/[\d.]+ .*Safari\//.test(userAgent ?? '') && !/Chrome\//.test(userAgent ?? ''))) return 'safari'
  if (format.startsWith('chrome') || /Chrome\//.test(userAgent ?? '')) return 'chromium'
  return statsFormat || userAgent ? 'other' : undefined
}

/** Merges what one identity or connectionInfo line says into what is known so far (later lines win). */
export function mergeIdentity(known: DumpIdentity, method: string, payload: unknown): DumpIdentity {
  const fields = asObject(payload)
  if (!fields) return known
  const merged: DumpIdentity = { ...known }
  if (method === 'connectionInfo') {
    const statsFormat = shortString(fields['statsFormat'], 64)
    if (statsFormat) merged.statsFormat = statsFormat
    const browser = browserFamily(statsFormat ?? known.statsFormat, shortString(fields['userAgent'], 1024))
    if (browser) merged.browser = browser
    return merged
  }
  const endpointId = shortString(fields['endpointId'])
  if (endpointId) merged.endpointId = endpointId
  const displayName = shortString(fields['displayName'])
  if (displayName) merged.displayName = displayName
  const conferenceName = shortString(fields['confName'])
  if (conferenceName) merged.conferenceName = conferenceName
  const meetingId = shortString(fields['meetingUniqueId'])
  if (meetingId) merged.meetingId = meetingId
  return merged
}

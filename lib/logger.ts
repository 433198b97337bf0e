// pino NDJSON logs. Personal fields are redacted by path wherever they appear, so a log line
// can never become an unpseudonymised copy of the data; code also avoids logging payloads.
import { pino, type DestinationStream, type Logger } from 'pino'

export const redactedPaths = [
  'key',
  '*.key',
  'masterKey',
  'call',
  '*.call',
  'frame',
  '*.frame',
  'participantId',
  '*.participantId',
  'displayName',
  '*.displayName',
  'conferenceId',
  '*.conferenceId',
  'address',
  '*.address',
  'ip',
  '*.ip',
]

export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      name: 'callmask',
      level,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      base: { pid: process.pid },
    },
    destination,
  )
}

export type { Logger }

// Dead letters are the client's frames as sent (raw identifiers in clear), kept for an
// operator to inspect. Erasure removes those of the subject: each of the tenant's dead
// letters is decoded and matched through the same pseudonyms the stored rows carry (so any
// spelling the client used is found); one that cannot be decoded is matched on its bytes.
// Matches are deleted with JetStream's erase (the stored message is overwritten), not only
// marked deleted.
import type { JetStreamManager } from '@nats-io/jetstream'
import { deadLetterStream, deadLetterSubject } from '../lib/jetstream-streams.ts'
import { encodingOf } from '../lib/frame-envelope.ts'
import { decodeFrame } from '../lib/wire-codec.ts'

/** True when one of the frame's strings is the subject (given as a string test). */
type StringTest = (value: string) => boolean

function anyString(value: unknown, test: StringTest, depth = 0): boolean {
  if (depth > 64) return false
  if (typeof value === 'string') return test(value)
  if (Array.isArray(value)) return value.some((item) => anyString(item, test, depth + 1))
  if (value && typeof value === 'object') return Object.entries(value).some(([key, item]) => test(key) || anyString(item, test, depth + 1))
  return false
}

const isNotFound = (error: unknown): boolean => /no message found|not found|10037/i.test((error as Error).message ?? '')

export interface DeadLetterMatch {
  /** A decoded string of the frame belongs to the subject. */
  string: StringTest
  /** The raw bytes of a frame that cannot be decoded hold the subject. */
  bytes: (data: Uint8Array) => boolean
}

/** Erases the tenant's dead letters that match (all of them without a matcher); returns how many. */
export async function purgeDeadLetters(jsm: JetStreamManager, tenant: string, match: DeadLetterMatch | 'all'): Promise<number> {
  const subject = deadLetterSubject(tenant)
  let erased = 0
  for (let seq = 1; ; ) {
    let message
    try {
      // The server's STREAM.MSG.GET takes next_by_subj (nats.js types only the direct variant).
      message = await jsm.streams.getMessage(deadLetterStream, { seq, next_by_subj: subject } as unknown as { seq: number })
    } catch (error) {
      if (isNotFound(error)) break
      throw error
    }
    if (!message) break
    let matches = match === 'all'
    if (!matches && match !== 'all') {
      try {
        matches = anyString(decodeFrame(message.data, encodingOf(message.header)), match.string)
      } catch {
        matches = match.bytes(message.data)
      }
    }
    if (matches) {
      await jsm.streams.deleteMessage(deadLetterStream, message.seq, true)
      erased += 1
    }
    seq = message.seq + 1
  }
  return erased
}

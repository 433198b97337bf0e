// Which open sessions hold which run-time ingest key, so a revocation or an expiry closes
// them within seconds: at once when the cache hears of the change, and by a sweep every
// second for expiries (and for any change whose notification was missed).
import { refusalOf } from '../lib/access-key-store.ts'
import type { AccessKeyCache } from './access-key-cache.ts'

export interface KeySessions {
  /** Registers an open session of key `keyId`; `close` ends it with a sentence. Returns the release. */
  add(keyId: string, close: (reason: string) => void): () => void
  readonly size: number
  stop(): void
}

export function createKeySessions(cache: AccessKeyCache, sweepMs = 1000): KeySessions {
  const byKey = new Map<string, Set<(reason: string) => void>>()

  function check(keyId: string): void {
    const sessions = byKey.get(keyId)
    if (!sessions) return
    const state = cache.peek(keyId)
    const reason = state === undefined ? undefined : state === 'gone' ? `key ${keyId} was revoked` : refusalOf(state)
    if (!reason) return
    byKey.delete(keyId)
    for (const close of sessions) close(reason)
  }

  cache.onChange(check)
  const sweep = setInterval(() => {
    for (const keyId of [...byKey.keys()]) check(keyId)
  }, sweepMs)
  sweep.unref()

  return {
    add(keyId, close) {
      const sessions = byKey.get(keyId) ?? new Set()
      byKey.set(keyId, sessions)
      sessions.add(close)
      return () => {
        sessions.delete(close)
        if (sessions.size === 0 && byKey.get(keyId) === sessions) byKey.delete(keyId)
      }
    },
    get size() {
      let n = 0
      for (const sessions of byKey.values()) n += sessions.size
      return n
    },
    stop() {
      clearInterval(sweep)
    },
  }
}

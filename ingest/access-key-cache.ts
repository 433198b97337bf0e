// Ingest's copy of the run-time keys (lib/access-key-store.ts), kept current so a hello is
// checked without a NATS round trip and an open session hears of its key's revocation at
// once. It subscribes to the entries' subjects first, then walks the bucket, so no change
// falls between the two; each notification is re-read from JetStream (the stored truth, not
// the published message), and after a reconnect the whole bucket is walked again. A key's
// state only moves from active to revoked or gone, so the order answers arrive in does not
// matter: a final state is never replaced by an active one.
import type { NatsConnection, Subscription } from '@nats-io/nats-core'
import type { Logger } from 'pino'
import { accessKeysSubjects, createAccessKeyReader, idOfSubject, type AccessKeyRecord, type StoredAccessKey } from '../lib/access-key-store.ts'

export interface AccessKeyCache {
  /** What the cache knows of a key: its record, `gone`, or undefined when it never saw it. */
  peek(id: string): AccessKeyRecord | 'gone' | undefined
  /** Reads one key from JetStream now (a key created a moment ago) and caches the answer. */
  fetch(id: string): Promise<StoredAccessKey>
  /** `listener` runs with the id of every key whose state changed. */
  onChange(listener: (id: string) => void): void
  readonly size: number
  close(): void
}

export async function startAccessKeyCache(nc: NatsConnection, log: Logger): Promise<AccessKeyCache> {
  const reader = await createAccessKeyReader(nc)
  const known = new Map<string, AccessKeyRecord | 'gone'>()
  const listeners: ((id: string) => void)[] = []
  let closed = false

  const isFinal = (state: AccessKeyRecord | 'gone' | undefined) => state === 'gone' || (state !== undefined && state.revokedAt !== undefined)
  function apply(id: string, state: StoredAccessKey): void {
    if (state === undefined) return // never created (or not yet): nothing to remember
    const before = known.get(id)
    if (isFinal(before) && !isFinal(state)) return
    known.set(id, state)
    for (const listener of listeners) listener(id)
  }

  async function refresh(id: string): Promise<void> {
    try {
      apply(id, await reader.get(id))
    } catch (error) {
      log.warn({ keyId: id, err: (error as Error).message }, 'could not re-read a changed run-time key')
    }
  }

  async function walk(): Promise<void> {
    try {
      const count = await reader.scan(apply)
      log.info({ entries: count }, 'run-time keys loaded')
    } catch (error) {
      log.error({ err: (error as Error).message }, 'could not read the run-time keys bucket (is deploy/nats.conf current? npm run nats-config): only static ingest keys are checked until it can')
    }
  }

  const subscription: Subscription = nc.subscribe(accessKeysSubjects, {
    callback: (error, message) => {
      if (error) return log.error({ err: error.message }, 'the run-time keys subscription failed')
      const id = idOfSubject(message.subject)
      if (id) void refresh(id)
    },
  })
  // A lost connection may have missed changes: walk again once it is back.
  void (async () => {
    for await (const status of nc.status()) {
      if (closed) return
      if (status.type === 'reconnect') void walk()
    }
  })()
  await nc.flush()
  await walk()

  return {
    peek: (id) => known.get(id),
    async fetch(id) {
      const state = await reader.get(id)
      apply(id, state)
      return known.get(id) ?? state
    },
    onChange(listener) {
      listeners.push(listener)
    },
    get size() {
      return known.size
    },
    close() {
      closed = true
      subscription.unsubscribe()
    },
  }
}

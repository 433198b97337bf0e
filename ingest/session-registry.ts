// One live connection per (tenant, session id), across every ingest process. A second hello
// for the same session (a client that reconnected, possibly to another ingest, before the old
// socket was seen to die, or two clients wrongly sharing an id) takes the session over: the
// older connection gets CALLMASK_ERR_SESSION_REPLACED and close 4009, so two sockets never
// interleave one seq space.
// Across processes, every claim is announced on core NATS (`callmask.sessions.claims`,
// nothing stored) as a hash of tenant and session id, the claim's time and the process's
// instance id; an ingest holding an older claim of the same session closes it. Equal times
// are ordered by instance id, so exactly one of two simultaneous claims survives.
import type { NatsConnection, Subscription } from '@nats-io/nats-core'
import { createHash, randomBytes } from 'node:crypto'
import { sessionClaimsSubject } from '../lib/jetstream-streams.ts'

export interface SessionRegistry {
  /** Claims the session for this connection; `onReplaced` runs if a later one takes it. Returns the release. */
  claim(tenant: string, sessionId: string, onReplaced: () => void): () => void
  readonly size: number
  /** Stops hearing other processes' claims. */
  close(): void
}

interface Claim {
  /** The claim's time (ms) and the claiming process, which order two claims. */
  at: number
  instance: string
}

interface Owner extends Claim {
  onReplaced: () => void
}

// A session id is the client's own random token; only a hash of it crosses NATS.
const claimKey = (tenant: string, sessionId: string) => createHash('sha256').update(tenant).update('\0').update(sessionId).digest('base64url').slice(0, 22)
const isOlder = (a: Claim, b: Claim) => a.at < b.at || (a.at === b.at && a.instance < b.instance)

export function createSessionRegistry(nc?: NatsConnection): SessionRegistry {
  const instance = randomBytes(9).toString('base64url')
  const owners = new Map<string, Owner>()
  let subscription: Subscription | undefined
  if (nc) {
    subscription = nc.subscribe(sessionClaimsSubject, {
      callback: (error, msg) => {
        if (error) return
        let claim: Claim & { key: string }
        try {
          claim = msg.json<Claim & { key: string }>()
        } catch {
          return
        }
        if (claim.instance === instance || typeof claim.key !== 'string' || typeof claim.at !== 'number') return
        const owner = owners.get(claim.key)
        if (owner && isOlder(owner, claim)) {
          owners.delete(claim.key)
          owner.onReplaced()
        }
      },
    })
  }
  return {
    claim(tenant, sessionId, onReplaced) {
      const key = claimKey(tenant, sessionId)
      const previous = owners.get(key)
      const mine: Owner = { at: Date.now(), instance, onReplaced }
      owners.set(key, mine)
      previous?.onReplaced()
      if (nc && !nc.isClosed()) {
        try {
          nc.publish(sessionClaimsSubject, JSON.stringify({ key, at: mine.at, instance }))
        } catch {
          // NATS unreachable: the claim is local only; frames are refused as unavailable anyway.
        }
      }
      return () => {
        if (owners.get(key) === mine) owners.delete(key)
      }
    },
    get size() {
      return owners.size
    },
    close() {
      subscription?.unsubscribe()
    },
  }
}

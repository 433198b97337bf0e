// One live connection per (tenant, session id) on an ingest process. A second hello for the
// same session (a client that reconnected before the server saw its old socket die, or two
// clients wrongly sharing an id) takes the session over: the older connection gets
// CALLMASK_ERR_SESSION_REPLACED and close 4009, so two sockets never interleave one seq space.
export interface SessionRegistry {
  /** Claims the session for this connection; `onReplaced` runs if a later one takes it. Returns the release. */
  claim(tenant: string, sessionId: string, onReplaced: () => void): () => void
  readonly size: number
}

export function createSessionRegistry(): SessionRegistry {
  const owners = new Map<string, { onReplaced: () => void }>()
  return {
    claim(tenant, sessionId, onReplaced) {
      const key = `${tenant}\0${sessionId}`
      const previous = owners.get(key)
      const mine = { onReplaced }
      owners.set(key, mine)
      previous?.onReplaced()
      return () => {
        if (owners.get(key) === mine) owners.delete(key)
      }
    },
    get size() {
      return owners.size
    },
  }
}

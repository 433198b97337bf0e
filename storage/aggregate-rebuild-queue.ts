// Rebuilds of aggregate groups (erasure, duplicate repair) run one at a time in a process.
// A rebuild deletes whole groups and re-aggregates them from the raw rows; two at once over
// one group (the processor's repair and the API's erasure or `duplicates --repair` in role
// all) could each re-insert it, counting it twice. Across processes they can still overlap
// (README "Delivery guarantees").
let running: Promise<unknown> = Promise.resolve()

/** Runs `work` after every rebuild queued before it has ended (whether it failed or not). */
export function oneRebuildAtATime<T>(work: () => Promise<T>): Promise<T> {
  const next = running.then(work, work)
  running = next.catch(() => undefined)
  return next
}

// Copies of the frames uWS hands over (its ArrayBuffer dies when the message handler returns),
// cut from shared 256 KiB slabs instead of one ArrayBuffer each, as Node's Buffer pool does for
// small buffers: an ArrayBuffer per 7 KB frame cost an allocation and its external-memory
// accounting (more GC) on every frame. A slab is freed once every frame cut from it is gone
// (published and answered). One frame still in flight keeps its whole slab: what is pinned is
// at most the traffic received while the oldest frame in flight waits for its PubAck (bounded
// by the sessions' windows and the publish timeout), and at most a slab per frame in flight;
// small slabs keep that bound small.

const slabBytes = 256 * 1024
/** Larger frames get an ArrayBuffer of their own: a few of them would use up a slab. */
const ownBufferFrom = slabBytes / 8

export function createFrameCopier(): (frame: ArrayBuffer) => Uint8Array {
  let slab = new Uint8Array(slabBytes)
  let used = 0
  return (frame) => {
    const length = frame.byteLength
    if (length >= ownBufferFrom) return new Uint8Array(frame.slice(0))
    if (used + length > slabBytes) {
      slab = new Uint8Array(slabBytes)
      used = 0
    }
    const copy = slab.subarray(used, used + length)
    copy.set(new Uint8Array(frame))
    // 8-byte aligned, so a reader's typed views of the copy are never misaligned.
    used = (used + length + 7) & ~7
    return copy
  }
}

// Copies of the frames uWS hands over (its ArrayBuffer dies when the message handler returns),
// cut from shared 256 KiB slabs instead of one ArrayBuffer each, as Node's Buffer pool does for
// small buffers: an ArrayBuffer per 7 KB frame cost an allocation and its external-memory
// accounting (more GC) on every frame. A slab is freed once every frame cut from it is gone.
// A frame is gone within a turn of the event loop: refused at once, or published, which nats.js
// copies into its own outbound buffer (a frame awaiting its PubAck keeps no slab: measured with
// bench/slab-pinning.ts, 200 frames awaiting PubAcks of a paused nats-server, 0 MiB). Whatever
// keeps a frame longer must copy it out of the slab (session-handler.ts's frames that wait for a
// run-time key), or it pins all 256 KiB, and with it the traffic cut after it, for that long.

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

// Tracks which seqs of one session are settled, and the highest contiguous one: that is
// what an `ack` frame promises, so a client can drop everything up to it. Settled means
// stored by JetStream, or refused for good with an error frame that named the seq.
export class SessionAcks {
  private stored = new Set<number>()

  /** @param contiguous the last seq the client says was acknowledged before (resume). */
  constructor(private contiguous = 0) {}

  get highestContiguous(): number {
    return this.contiguous
  }

  /** Records a settled seq; returns true when the contiguous watermark moved. */
  markStored(seq: number): boolean {
    if (seq <= this.contiguous) return false
    this.stored.add(seq)
    let moved = false
    while (this.stored.delete(this.contiguous + 1)) {
      this.contiguous += 1
      moved = true
    }
    return moved
  }
}

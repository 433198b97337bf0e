import { describe, expect, it } from 'vitest'
import { SessionAcks } from '../ingest/session-acks.ts'

describe('SessionAcks', () => {
  it('acknowledges only the highest contiguous stored seq', () => {
    const acks = new SessionAcks()
    expect(acks.markStored(2)).toBe(false)
    expect(acks.highestContiguous).toBe(0)
    expect(acks.markStored(1)).toBe(true)
    expect(acks.highestContiguous).toBe(2)
    acks.markStored(4)
    expect(acks.highestContiguous).toBe(2)
  })

  it('resumes from the seq the client says was acknowledged', () => {
    const acks = new SessionAcks(10)
    expect(acks.markStored(9)).toBe(false)
    expect(acks.markStored(11)).toBe(true)
    expect(acks.highestContiguous).toBe(11)
  })
})

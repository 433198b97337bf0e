// ingest/frame-copies.ts: each copy holds the frame's bytes after uWS reuses its buffer, no
// two copies overlap (across a slab's end too), and a large frame gets a buffer of its own.
import { describe, expect, it } from 'vitest'
import { createFrameCopier } from '../ingest/frame-copies.ts'

const frameOf = (length: number, fill: number) => new Uint8Array(length).fill(fill).buffer

describe('frame copies', () => {
  it('keeps every frame intact while later ones are copied, across slabs', () => {
    const copy = createFrameCopier()
    const source = new Uint8Array(7_245)
    const copies: Uint8Array[] = []
    // 400 frames of 7.2 KB: about eleven 256 KiB slabs.
    for (let i = 0; i < 400; i++) {
      source.fill(i % 251)
      copies.push(copy(source.buffer))
      source.fill(255) // uWS reuses its buffer after the handler returns
    }
    expect(new Set(copies.map((c) => c.buffer)).size).toBeGreaterThanOrEqual(3)
    copies.forEach((c, i) => {
      expect(c.byteLength).toBe(7_245)
      expect(c.byteOffset % 8).toBe(0)
      expect(c.every((byte) => byte === i % 251)).toBe(true)
    })
  })

  it('gives a large frame a buffer of its own', () => {
    const copy = createFrameCopier()
    const small = copy(frameOf(100, 1))
    const large = copy(frameOf(100 * 1024, 2))
    expect(large.buffer).not.toBe(small.buffer)
    expect(large.byteLength).toBe(100 * 1024)
    expect(large.buffer.byteLength).toBe(100 * 1024)
    expect(small.every((b) => b === 1) && large.every((b) => b === 2)).toBe(true)
  })
})

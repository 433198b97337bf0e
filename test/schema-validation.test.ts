// Unit: the wire schemas accept what real browsers produce and reject malformed frames
// with the offending field named.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { publishedSchemas, renderSchema, schemaFileName, schemaJsonDir } from '../bin/write-schemas.ts'
import { validateClientFrame } from '../schemas/frame-validator.ts'
import { buildStatsFrame } from '../sdk/stats-frame.ts'
import { captureFrames, captureNames, loadCapture } from './support/captures.ts'

describe('wire schemas', () => {
  it.each(captureNames())('accepts every frame built from %s', (name) => {
    const frames = captureFrames(loadCapture(name))
    expect(frames.length).toBeGreaterThan(40)
    frames.forEach((f, i) => {
      const result = validateClientFrame(buildStatsFrame(i + 1, f.ts, f.call, f.reports))
      expect(result, `${name} frame ${i}`).toMatchObject({ ok: true })
    })
  })

  it('accepts raw reports of every type the captures hold, certificates included', () => {
    const frame = captureFrames(loadCapture('chromium-loopback-av.json'))[10]!
    const result = validateClientFrame({ type: 'stats', seq: 1, ts: frame.ts, call: frame.call, reports: frame.reports })
    expect(result.ok).toBe(true)
  })

  const good = { type: 'stats', seq: 1, ts: 1, call: { conferenceId: 'c', participantId: 'p', peerConnectionId: 'pc' }, reports: [] }
  it.each([
    [{ ...good, seq: 0 }, '/seq'],
    [{ ...good, seq: 1.5 }, '/seq'],
    [{ ...good, call: { conferenceId: 'c', peerConnectionId: 'pc' } }, '/call/participantId'],
    [{ ...good, call: { ...good.call, extra: 1 } }, '/call/extra'],
    [{ ...good, reports: [{ id: 'a', type: 'bogus', timestamp: 1 }] }, '/reports/0/type'],
    [{ ...good, reports: [{ id: 'a', type: 'codec' }] }, '/reports/0/timestamp'],
    [{ ...good, reports: [{ id: 'a', type: 'codec', timestamp: 1, nested: { deep: { x: 1 } } }] }, '/reports/0/nested'],
    [{ ...good, call: { ...good.call, displayName: 'x'.repeat(300) } }, '/call/displayName'],
    [{ type: 'nonsense' }, '/type'],
    [{ type: 'hello', v: 2, key: '12345678', sessionId: 'abcdefgh', sdk: { name: 'a', version: '1' } }, '/v'],
    [{ type: 'hello', v: 1, key: '12345678', sessionId: 'has space!', sdk: { name: 'a', version: '1' } }, '/sessionId'],
    [{ type: 'event', seq: 1, ts: 1, call: good.call, name: 'explode' }, '/name'],
  ])('rejects %j naming %s', (frame, field) => {
    const result = validateClientFrame(frame)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.field).toBe(field)
      expect(result.message).toContain(field)
    }
  })

  it('rejects non-objects', () => {
    for (const value of [null, 3, 'x', [1]]) expect(validateClientFrame(value).ok).toBe(false)
  })

  it('schemas/json holds the current schemas (run npm run schemas after a change)', () => {
    for (const schema of publishedSchemas) {
      const file = join(schemaJsonDir, schemaFileName(schema.$id))
      expect(readFileSync(file, 'utf8'), file).toBe(renderSchema(schema))
    }
  })
})

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
    [{ ...good, reports: [{ id: 'a', type: 7, timestamp: 1 }] }, '/reports/0/type'],
    [{ ...good, reports: [{ id: 'a', type: 'x'.repeat(65), timestamp: 1 }] }, '/reports/0/type'],
    [{ ...good, reports: [{ id: 'a', type: 'codec' }] }, '/reports/0/timestamp'],
    [{ ...good, call: { ...good.call, ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, i])) } }, '/call'],
    [{ type: 'hello', v: 1, key: '12345678', sessionId: 'abcdefgh', sdk: { name: 'a', version: '1' }, extra: 1 }, '/extra'],
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

  // Tolerant reader: what browsers add (fields, report types) is not a reason to refuse a
  // frame; the processor's allow-list drops it. Only the hello stays strict.
  it.each([
    ['an extra call field', { ...good, call: { ...good.call, tenantHint: 'x' } }],
    ['a report type the pipeline does not map', { ...good, reports: [{ id: 'a', type: 'track', timestamp: 1 }] }],
    ["next year's report type", { ...good, reports: [{ id: 'a', type: 'ai-noise-suppression', timestamp: 1, level: 3 }] }],
    ['a nested new field', { ...good, reports: [{ id: 'a', type: 'codec', timestamp: 1, nested: { deep: { x: [1, 2] } } }] }],
    ['an extra top-level field', { ...good, sdkBuild: 'abc' }],
  ])('accepts %s', (_name, frame) => {
    expect(validateClientFrame(frame).ok).toBe(true)
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

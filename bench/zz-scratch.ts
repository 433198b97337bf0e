import { buildSessionFrames } from './bench-frames.ts'
import { decodeFrame } from '../ingest/wire-codec.ts'
import { validateClientFrame } from '../schemas/frame-validator.ts'
const f = buildSessionFrames(0)
const frames = Array.from({ length: 2000 }, (_, i) => f.frame(i + 1, Date.now()))
const time = (name: string, fn: (b: Uint8Array) => unknown) => { for (let r = 0; r < 3; r++) { const t = performance.now(); for (const b of frames) fn(b); const us = (performance.now() - t) * 1000 / frames.length; if (r === 2) console.log(name, us.toFixed(1), 'us/frame') } }
time('decode', (b) => decodeFrame(b, 'msgpack'))
const decoded = frames.map((b) => decodeFrame(b, 'msgpack'))
let i = 0
time('validate', () => validateClientFrame(decoded[i++ % decoded.length]))
time('decode+validate', (b) => validateClientFrame(decodeFrame(b, 'msgpack')))
time('copy', (b) => b.slice(0))

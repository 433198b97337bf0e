// The browser SDK in Node against a socket the test answers by hand and a peer connection
// that replays a real Chromium capture: seq stamping the ingest accepts, frames kept until
// acked and resent after a reconnect from the last ack, the offline buffer's limits and drop
// order, close() flushing within its timeout, events, and errors that are never thrown.
import { readFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { browserBundlePath, buildBrowserBundle } from '../bin/build-browser-sdk.ts'
import { msgpackShapeProblem } from '../lib/msgpack-shape.ts'
import { validateClientFrame } from '../schemas/frame-validator.ts'
import { close, connect, sdkErrorCodes, type CallmaskSdkError, type Session } from '../sdk/browser.ts'
import { decodeBody, encodeBody, stampSeq } from '../sdk/frame-codec.ts'
import { loadCapture } from './support/captures.ts'
import { manualEnvironment, ReplayingPeerConnection, type ManualSocket } from './support/fake-browser.ts'
import { eventually } from './support/test-pipeline.ts'
import { replayCapture } from '../lib/capture-replay.ts'

const capture = loadCapture('chromium-loopback-audio.json')
const callerSnapshots = replayCapture(capture)
  .filter((s) => s.peerId === 'caller')
  .map((s) => new Map(s.reports.map((r) => [r['id'] as string, r])))
const call = { conferenceId: 'room-sdk', participantId: 'user-1', peerConnectionId: 'pc-1', intervalMs: 5 }
const frames = (socket: ManualSocket) => socket.sent.map((data) => decodeBody(data))
const dataFrames = (socket: ManualSocket) => frames(socket).filter((f) => f['type'] !== 'hello')

let sessions: Session[] = []
function open(options: Partial<Parameters<typeof connect>[0]> = {}) {
  const env = manualEnvironment()
  const session = connect({ url: `ws://sdk.test/${Math.random()}`, key: 'test-key-0123456789', encoding: 'json', environment: env.environment, ...options })
  sessions.push(session)
  return { ...env, session }
}
afterEach(async () => {
  for (const s of sessions) await s.close(10)
  sessions = []
})

describe('browser SDK: frames on the wire', () => {
  it('stamps seq as the first field; the msgpack frame passes ingest\'s shape check and the schema', () => {
    const reports = [...callerSnapshots[5]!.values()].filter((r) => r['type'] === 'inbound-rtp') as { id: string; type: string; timestamp: number }[]
    const frame = { type: 'stats', ts: Date.now(), call, reports, previous: [] }
    for (const encoding of ['msgpack', 'json'] as const) {
      const stamped = stampSeq(encodeBody(frame, encoding), 70_000)
      if (typeof stamped !== 'string') expect(msgpackShapeProblem(stamped)).toBeUndefined()
      const decoded = decodeBody(stamped)
      expect(Object.keys(decoded)[0]).toBe('seq')
      expect(decoded).toEqual({ seq: 70_000, ...frame })
      expect(validateClientFrame(decoded).ok).toBe(true)
    }
  })

  it('the committed bundle sdk/dist/callmask-browser.js is what `npm run build:sdk` builds now', async () => {
    const fresh = readFileSync(browserBundlePath, 'utf8') === (await buildBrowserBundle())
    expect(fresh, 'the bundle is stale: run `npm run build:sdk` and commit it').toBe(true)
  })

  it('the package exports the bundle as `callmask/browser`, and the bundle loads as an ES module', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, { default: string }> }
    expect(fileURLToPath(new URL(`.${pkg.exports['./browser']!.default.slice(1)}`, new URL('../', import.meta.url)))).toBe(browserBundlePath)
    const bundle = (await import(pathToFileURL(browserBundlePath).href)) as Record<string, unknown>
    for (const name of ['monitor', 'connect', 'close', 'sdkErrorCodes', 'CallmaskSdkError']) expect(bundle[name], name).toBeDefined()
    expect(bundle['sdkErrorCodes']).toEqual(sdkErrorCodes)
  })

  it('README "Browser SDK" lists every error code the SDK reports', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const section = readme.slice(readme.indexOf('## Browser SDK'), readme.indexOf('## Write your own SDK'))
    expect(section.length).toBeGreaterThan(100)
    for (const code of Object.values(sdkErrorCodes)) expect(section.includes(code), code).toBe(true)
  })
})

describe('browser SDK: session', () => {
  it('keeps frames until acked, and after a reconnect resumes from the last ack and resends the rest in order', async () => {
    const { session, sockets } = open()
    const pc = new ReplayingPeerConnection(callerSnapshots)
    session.monitor(pc, call)
    sockets[0]!.accept()
    const hello = frames(sockets[0]!)[0]!
    expect(hello).toMatchObject({ type: 'hello', v: 1, lastAckedSeq: 0, sdk: { name: 'callmask-browser' } })
    sockets[0]!.reply({ type: 'ack', seq: 0 })
    expect(session.state).toBe('open')
    await eventually(() => dataFrames(sockets[0]!).length >= 8, 5000, 'eight frames sent')
    // The first three are join and the initial states, seqs 1, 2, 3, ...
    const first = dataFrames(sockets[0]!)
    expect(first.slice(0, 3).map((f) => f['name'])).toEqual(['join', 'ice-state', 'connection-state'])
    expect(first.map((f) => f['seq'])).toEqual(first.map((_, i) => i + 1))
    sockets[0]!.reply({ type: 'ack', seq: 5 })
    expect(session.lastAckedSeq).toBe(5)
    sockets[0]!.drop()
    expect(session.state).toBe('reconnecting')
    await eventually(() => sockets.length === 2, 5000, 'a reconnect')
    const unackedBefore = session.pending.frames
    sockets[1]!.accept()
    const again = frames(sockets[1]!)
    expect(again[0]).toMatchObject({ type: 'hello', sessionId: session.sessionId, lastAckedSeq: 5 })
    const resent = again.slice(1).map((f) => f['seq'] as number)
    // What was sent and not acked goes again, then what waited; within the in-flight window (64).
    expect(resent).toEqual(Array.from({ length: Math.min(unackedBefore, 64) }, (_, i) => 6 + i))
    const sentSeqs = [...first, ...again.slice(1)].map((f) => f['seq'] as number)
    const last = Math.max(...sentSeqs)
    sockets[1]!.reply({ type: 'ack', seq: 5 })
    sockets[1]!.reply({ type: 'ack', seq: last })
    // Every seq from 1 to the last was sent; none is missing.
    expect(new Set(sentSeqs)).toEqual(new Set(Array.from({ length: last }, (_, i) => i + 1)))
  })

  it('with several ingest URLs, each reconnect goes to the next and the session resumes there', async () => {
    const urls = [`ws://ingest-a.test/${Math.random()}`, `ws://ingest-b.test/${Math.random()}`]
    const { session, sockets } = open({ url: urls })
    session.monitor(new ReplayingPeerConnection(callerSnapshots), call)
    expect(sockets[0]!.url).toBe(urls[0])
    sockets[0]!.accept()
    sockets[0]!.reply({ type: 'ack', seq: 0 })
    await eventually(() => dataFrames(sockets[0]!).length >= 3, 5000, 'frames sent')
    sockets[0]!.reply({ type: 'ack', seq: 2 })
    sockets[0]!.drop()
    await eventually(() => sockets.length === 2, 5000, 'a reconnect')
    expect(sockets[1]!.url).toBe(urls[1])
    sockets[1]!.accept()
    expect(frames(sockets[1]!)[0]).toMatchObject({ type: 'hello', sessionId: session.sessionId, lastAckedSeq: 2 })
    sockets[1]!.drop()
    await eventually(() => sockets.length === 3, 5000, 'a second reconnect')
    expect(sockets[2]!.url).toBe(urls[0])
  })

  it('the offline buffer holds at most maxFrames, drops the oldest samples first, never events, and counts the drops', async () => {
    const { session, sockets, changeDevices } = open({ buffer: { maxFrames: 10 } })
    const errors: CallmaskSdkError[] = []
    session.on('error', (e) => errors.push(e))
    const pc = new ReplayingPeerConnection(callerSnapshots)
    const watched = session.monitor(pc, call)
    await eventually(() => pc.polls >= 8, 5000, 'some polls')
    changeDevices()
    pc.tracks[0]!.enabled = false // the user mutes the microphone while offline (seen at the next poll)
    await eventually(() => pc.exhausted, 5000, 'the capture replayed')
    watched.stop()
    expect(session.pending.frames).toBe(10)
    const eventsKept = 6 // join, ice-state, connection-state, device-change, mute, leave
    expect(session.dropped).toBe(pc.polls - (10 - eventsKept))
    const dropping = errors.filter((e) => e.code === sdkErrorCodes.bufferDropping)
    expect(dropping).toHaveLength(1)
    expect(dropping[0]!.dropped).toBeGreaterThan(0)

    sockets[0]!.accept()
    const sent = dataFrames(sockets[0]!)
    expect(sent.map((f) => f['seq'])).toEqual(Array.from({ length: 10 }, (_, i) => i + 1))
    expect(sent.filter((f) => f['type'] === 'event').map((f) => f['name'])).toEqual(['join', 'ice-state', 'connection-state', 'device-change', 'mute', 'leave'])
    const stats = sent.filter((f) => f['type'] === 'stats') as { ts: number; reports: { id: string; packetsSent?: number }[]; previous: { id: string; packetsSent?: number }[] }[]
    expect(stats).toHaveLength(4)
    // The newest samples survived; each interval starts at the sample sent before it (the
    // first one sent has no predecessor left: all before it were dropped).
    expect(stats[0]!.previous).toEqual([])
    for (let i = 1; i < stats.length; i++) {
      for (const p of stats[i]!.previous) expect(p.packetsSent).toBe(stats[i - 1]!.reports.find((r) => r.id === p.id)!.packetsSent)
    }
  })

  it('the offline buffer holds at most maxBytes', async () => {
    const { session } = open({ buffer: { maxBytes: 30_000 } })
    const pc = new ReplayingPeerConnection(callerSnapshots)
    session.monitor(pc, call)
    await eventually(() => pc.exhausted, 5000, 'the capture replayed')
    expect(session.dropped).toBeGreaterThan(0)
    expect(session.pending.bytes).toBeLessThanOrEqual(30_000)
    expect(session.pending.bytes).toBeGreaterThan(20_000)
  })

  it('close() flushes: resolves flushed once all is acked; gives up after its timeout with what is pending', async () => {
    const a = open()
    const pc = new ReplayingPeerConnection(callerSnapshots)
    a.session.monitor(pc, call)
    a.sockets[0]!.accept()
    await eventually(() => pc.polls >= 3, 5000, 'polls')
    const closing = a.session.close(2000)
    // leave was queued and sent by close()
    const sent = dataFrames(a.sockets[0]!)
    expect(sent.at(-1)).toMatchObject({ type: 'event', name: 'leave' })
    a.sockets[0]!.reply({ type: 'ack', seq: sent.at(-1)!['seq'] as number })
    expect(await closing).toEqual({ flushed: true, pending: 0 })
    expect(a.session.state).toBe('closed')

    const b = open()
    b.session.monitor(new ReplayingPeerConnection(callerSnapshots), call)
    const started = Date.now()
    const result = await b.session.close(150)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    expect(result.flushed).toBe(false)
    expect(result.pending).toBeGreaterThan(0)
  })

  it('resends the seq a retryable error names; forgets and reports a frame refused for good; rate limiting is reported once', async () => {
    const { session, sockets } = open()
    const errors: CallmaskSdkError[] = []
    session.on('error', (e) => errors.push(e))
    session.monitor(new ReplayingPeerConnection(callerSnapshots), { ...call, intervalMs: 60_000 })
    sockets[0]!.accept()
    await eventually(() => dataFrames(sockets[0]!).length === 4, 2000, 'join, states and a first snapshot')
    sockets[0]!.reply({ type: 'error', code: 'CALLMASK_ERR_UNAVAILABLE', message: 'JetStream did not store the frame', retryable: true, seq: 2 })
    sockets[0]!.reply({ type: 'error', code: 'CALLMASK_ERR_SCHEMA', message: '/call/participantId', retryable: false, seq: 3 })
    sockets[0]!.reply({ type: 'error', code: 'CALLMASK_ERR_RATE_LIMITED', message: 'slow down', retryable: true })
    sockets[0]!.reply({ type: 'error', code: 'CALLMASK_ERR_RATE_LIMITED', message: 'slow down', retryable: true })
    expect(errors.map((e) => [e.code, e.wireCode])).toEqual([
      [sdkErrorCodes.frameRefused, 'CALLMASK_ERR_SCHEMA'],
      [sdkErrorCodes.rateLimited, 'CALLMASK_ERR_RATE_LIMITED'],
    ])
    expect(session.pending.frames).toBe(3) // seq 3 is settled
    await eventually(() => dataFrames(sockets[0]!).length === 5, 2000, 'the resend')
    expect(dataFrames(sockets[0]!)[4]).toEqual(dataFrames(sockets[0]!)[1])
    sockets[0]!.reply({ type: 'ack', seq: 4 })
    expect(session.pending.frames).toBe(0)
  })

  it('a bad key stops the session (no reconnect) and is reported, never thrown', async () => {
    const { session, sockets } = open()
    const errors: string[] = []
    const watched = session.monitor(new ReplayingPeerConnection(callerSnapshots), call)
    watched.on('error', (e) => {
      errors.push(e.code)
      throw new Error('an app handler that fails') // ignored by the SDK
    })
    sockets[0]!.accept()
    sockets[0]!.reply({ type: 'error', code: 'CALLMASK_ERR_BAD_KEY', message: 'the ingest key is not valid', retryable: false })
    sockets[0]!.close(4003)
    expect(session.state).toBe('failed')
    expect(errors).toEqual([sdkErrorCodes.badKey])
    await eventually(() => !watched.active, 2000, 'the monitor stopped')
    expect(sockets).toHaveLength(1)
  })

  it('events: state changes, mute by `enabled` and by `muted`, rating (1-5 only), pc.close() stops with leave; pagehide sends at once', async () => {
    const { session, sockets, hidePage } = open({ maxInFlight: 1 })
    const errors: string[] = []
    const pc = new ReplayingPeerConnection(callerSnapshots)
    const watched = session.monitor(pc, call)
    watched.on('error', (e) => errors.push(e.code))
    sockets[0]!.accept()
    pc.setState('connected', 'connected')
    pc.tracks[1]!.setMuted(true)
    pc.tracks[1]!.setMuted(false)
    pc.tracks[0]!.enabled = false
    await eventually(() => pc.polls >= 3, 5000, 'polls')
    watched.rate(4)
    watched.rate(9)
    expect(errors).toEqual([sdkErrorCodes.invalidUse])
    pc.close()
    await eventually(() => !watched.active, 2000, 'stopped on close')
    // With a window of one frame nothing beyond the first went out; the page's unload sends all.
    expect(dataFrames(sockets[0]!)).toHaveLength(1)
    hidePage()
    const events = dataFrames(sockets[0]!).filter((f) => f['type'] === 'event').map((f) => `${f['name']}${f['value'] === undefined ? '' : `:${f['value']}`}`)
    expect(events).toEqual(['join', 'ice-state:new', 'connection-state:new', 'connection-state:connected', 'ice-state:connected', 'mute:video', 'unmute:video', 'mute:audio', 'feedback:4', 'leave'])
  })
})

afterEach(async () => {
  await close(10)
})

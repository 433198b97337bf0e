// A WebSocket client that sends whatever a test gives it, byte for byte: for hostile frames
// a real SDK would never build. Collects every server frame for the test to wait on.
import { Packr, Unpackr } from 'msgpackr'
import WebSocket from 'ws'

const packr = new Packr({ useRecords: false })
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true })

export const rawHello = (key: string, sessionId = `s-${Math.random().toString(36).slice(2, 12)}`) => ({ type: 'hello', v: 1, key, sessionId, sdk: { name: 't', version: '1' } })

export interface RawSession {
  frames: Record<string, unknown>[]
  closed: Promise<{ code: number }>
  send(frame: unknown): void
  sendRaw(data: Buffer | string): void
  /** Takes the first frame of this type the server sent (without a type: the first frame of any type). */
  next(type?: string): Promise<Record<string, unknown>>
}

export async function rawSession(url: string, protocol = 'callmask.v1.msgpack'): Promise<RawSession> {
  const socket = new WebSocket(url, protocol)
  const frames: Record<string, unknown>[] = []
  const waiters: (() => void)[] = []
  socket.on('message', (data: Buffer, isBinary) => {
    frames.push((isBinary ? unpackr.unpack(data) : JSON.parse(data.toString())) as Record<string, unknown>)
    for (const w of waiters.splice(0)) w()
  })
  const closed = new Promise<{ code: number }>((resolve) => socket.on('close', (code) => resolve({ code })))
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
  const json = protocol.endsWith('json')
  return {
    frames,
    closed,
    send: (frame) => socket.send(json ? JSON.stringify(frame) : packr.pack(frame)),
    sendRaw: (data) => socket.send(data),
    async next(type) {
      for (;;) {
        const found = type === undefined ? frames[0] : frames.find((f) => f['type'] === type)
        if (found) {
          frames.splice(frames.indexOf(found), 1)
          return found
        }
        await new Promise<void>((resolve, reject) => {
          waiters.push(resolve)
          setTimeout(() => reject(new Error(`no ${type ?? 'server'} frame; got ${JSON.stringify(frames)}`)), 5000)
        })
      }
    },
  }
}

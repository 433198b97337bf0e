// Regression: `npm run demo` printed "all acknowledged" and exited 0 while the server refused
// every frame. It now says what was stored and what was refused, and fails when anything was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closedPort } from './support/closed-port.ts'
import { runScript } from './support/run-script.ts'
import { createTestWorld, eventually, testKey, type TestWorld } from './support/test-pipeline.ts'

const demo = (url: string, key = testKey) => runScript('bin/demo.ts', [], { env: { CALLMASK_URL: url, CALLMASK_KEY: key } })

describe('npm run demo (integration)', () => {
  let world: TestWorld
  beforeAll(async () => {
    world = await createTestWorld()
  })
  afterAll(async () => world?.close())

  it('streams the capture, says all 62 frames were stored, and they reach ClickHouse', async () => {
    const pipeline = await world.start()
    const result = await demo(pipeline.ingest!.url)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('stored in JetStream (acknowledged): 62')
    expect(result.stdout).toContain('refused by the server:              0')
    await eventually(async () => {
      const [row] = await world.query<{ n: string }>('SELECT uniqExact(session_id, seq) AS n FROM {db}.rtp_samples')
      return Number(row?.n) === 62
    }, 30_000, 'the demo frames in ClickHouse')
    await pipeline.close()
  })

  it('fails with a sentence and the reasons when the server refuses the frames', async () => {
    // The demo's frames are 3.1 to 8.7 KB (with their `previous` counters): over a 2400-byte
    // limit, under the transport's cut-off (4x), so each one is refused for good with an error frame.
    const pipeline = await world.start({ maxFrameBytes: 2400 })
    const result = await demo(pipeline.ingest!.url)
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('stored in JetStream (acknowledged): 0')
    expect(result.stdout).toContain('refused by the server:              62')
    expect(result.stdout).toMatch(/62 x CALLMASK_ERR_TOO_LARGE \(for example: .*bytes/)
    expect(result.stderr).toContain('The server refused 62 of 62 frames')
    await pipeline.close()
  })

  // Regression: the demo hung for ever when nothing listened (the failed client kept reconnecting).
  it('exits 1 with a sentence when callmask is not running', async () => {
    const url = `ws://127.0.0.1:${await closedPort()}/v1/ws`
    const result = await demo(url)
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(`Sent 0 of 62 stats frames from 0 peers to ${url}`)
    expect(result.stderr).toContain(`The demo could not stream to ${url}`)
    expect(result.stderr).toContain('Is callmask running (npm start)?')
  })

  it('stops at once with the reason when the key is refused', async () => {
    const pipeline = await world.start()
    const result = await demo(pipeline.ingest!.url, 'not-a-key-of-this-server')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('the server refused the connection (CALLMASK_ERR_BAD_KEY')
    expect(result.stderr).toContain('Check CALLMASK_KEY.')
    await pipeline.close()
  })

  // Regression: a key too short for the hello's schema (CALLMASK_ERR_SCHEMA, close 4001) made
  // the demo wait its 30 s and then ask whether callmask was running.
  it('stops at once with the reason when the hello itself is refused', async () => {
    const pipeline = await world.start()
    const result = await demo(pipeline.ingest!.url, 'short')
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/the server refused the connection \(CALLMASK_ERR_SCHEMA: invalid hello: \/key /)
    expect(result.stderr).toContain('Check CALLMASK_KEY.')
    expect(result.stderr).not.toContain('within 30 s')
    await pipeline.close()
  })
})

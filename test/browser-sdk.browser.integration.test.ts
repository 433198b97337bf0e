// The browser SDK in a real browser: Debian's Chromium (playwright-core, fake camera and
// microphone) opens a page on localhost with two connected RTCPeerConnections monitored by
// the bundle, streaming for 20 s through one shared session to the real ingest (uWS,
// nats-server, processor, chdb). Mid-call the server side dies (every connection cut at
// once, as a crash would) and ingest restarts; the SDK reconnects and resumes. ClickHouse
// then holds the call with plausible values, and every seq of the session exactly once.
// Also reports the SDK's cost per monitored connection per interval. Under CI a missing
// Chromium fails the run; elsewhere the file is skipped with a message.
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { connect as connectTcp, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Pipeline } from '../app/pipeline.ts'
import { browserBundlePath } from '../bin/build-browser-sdk.ts'
import { callPageHtml } from './support/sdk-call-page.ts'
import { createTestWorld, eventually, testKey, type TestWorld } from './support/test-pipeline.ts'

const chromiumPath = '/usr/bin/chromium'
const hasChromium = existsSync(chromiumPath)
const underCi = Boolean(process.env['CI'])
const missingChromium = `Chromium is not installed at ${chromiumPath}: install Debian's package (apt-get install -y chromium); .ci/run does this before the tests.`
const conferenceId = 'room-browser-sdk'

if (!hasChromium && !underCi) console.warn(`SKIPPED browser SDK test: ${missingChromium}`)

describe.runIf(!hasChromium && underCi)('browser SDK in Chromium (integration): prerequisites', () => {
  it('has Chromium', () => {
    throw new Error(missingChromium)
  })
})

/** A TCP relay in front of ingest: `cut()` drops every connection at once, as a crash would. */
async function startRelay(target: () => number): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: TcpServer = createTcpServer((client) => {
    const upstream = connectTcp(target(), '127.0.0.1')
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => undefined)
    }
    client.pipe(upstream).pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as { port: number }).port,
    cut: () => sockets.forEach((s) => s.destroy()),
    close: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  }
}

describe.runIf(hasChromium)('browser SDK in Chromium (integration)', () => {
  let world: TestWorld
  let ingest: Pipeline
  let relay: Awaited<ReturnType<typeof startRelay>>
  let site: Server
  let browser: Browser
  let page: Page
  let base: string

  beforeAll(async () => {
    world = await createTestWorld()
    await world.start({ role: 'processor' })
    ingest = await world.start({ role: 'ingest' })
    relay = await startRelay(() => ingest.ingest!.port)
    const bundle = readFileSync(browserBundlePath)
    site = createServer((request, response) => {
      if (request.url === '/callmask-browser.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle)
      else if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html' }).end(callPageHtml)
      else response.writeHead(404).end()
    })
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(site.address() as { port: number }).port}`
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required',
      ],
    })
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    site?.close()
    await relay?.close()
    await world?.close()
  })

  it('streams a 20 s call through a server crash and restart: every seq stored once, bitrate both ways, MOS', async () => {
    page = await browser.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(`${base}/`)
    const sessionId = await page.evaluate(([url, key, room]) => (globalThis as unknown as { startCall(u: string, k: string, c: string): Promise<string> }).startCall(url!, key!, room!), [`ws://127.0.0.1:${relay.port}/v1/ws`, testKey, conferenceId])
    expect(sessionId).toMatch(/^[\w-]{22}$/)
    const started = Date.now()
    const sleepUntil = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, started + ms - Date.now())))

    await sleepUntil(4000)
    await page.evaluate(() => (globalThis as unknown as { muteMicrophone(m: boolean): void }).muteMicrophone(true))
    await sleepUntil(7000)
    // The crash: every connection cut, no goodbye; then ingest restarts behind the same address.
    relay.cut()
    await ingest.close()
    await sleepUntil(9000)
    ingest = await world.start({ role: 'ingest' })
    await page.evaluate(() => (globalThis as unknown as { muteMicrophone(m: boolean): void }).muteMicrophone(false))
    await sleepUntil(20_000)

    const end = await page.evaluate(() => (globalThis as unknown as { endCall(): Promise<{ flushed: boolean; pending: number; lastAckedSeq: number; dropped: number }> }).endCall())
    const log = await page.evaluate(() => (globalThis as unknown as { sdkLog: { costs: { peerConnectionId: string; getStatsMs: number; encodeMs: number; bytes: number; reports: number }[]; errors: { code: string }[]; states: string[] } }).sdkLog)
    expect(pageErrors).toEqual([])
    expect(end).toMatchObject({ flushed: true, pending: 0, dropped: 0 })
    // The SDK saw the outage and came back.
    expect(log.errors.map((e) => e.code)).toContain('CALLMASK_SDK_DISCONNECTED')
    expect(log.states).toContain('reconnecting')
    expect(log.states.lastIndexOf('open')).toBeGreaterThan(log.states.indexOf('reconnecting'))
    const lastSeq = end.lastAckedSeq
    expect(lastSeq).toBeGreaterThan(40) // 2 connections x ~19 polls, plus events

    // Every seq of the session stored exactly once, across the three tables.
    await eventually(async () => {
      const [row] = await world.query<{ n: string }>(`SELECT uniqExact(seq) AS n FROM (
        SELECT seq FROM {db}.rtp_samples WHERE conference_id = {c:String} UNION ALL
        SELECT seq FROM {db}.connection_samples WHERE conference_id = {c:String} UNION ALL
        SELECT seq FROM {db}.call_events WHERE conference_id = {c:String})`, { c: conferenceId })
      return Number(row?.n) === lastSeq
    }, 30_000, 'every seq stored').catch(async (error) => {
      // Say which seqs are missing, to tell a lost frame from one that stores no rows.
      const got = await world.query<{ seq: string }>(`SELECT seq FROM {db}.rtp_samples WHERE conference_id = {c:String} UNION ALL SELECT seq FROM {db}.connection_samples WHERE conference_id = {c:String} UNION ALL SELECT seq FROM {db}.call_events WHERE conference_id = {c:String}`, { c: conferenceId })
      const have = new Set(got.map((r) => Number(r.seq)))
      throw new Error(`${(error as Error).message}; missing seqs: ${Array.from({ length: lastSeq }, (_, i) => i + 1).filter((n) => !have.has(n)).join(', ')}`)
    })
    const seqs = await world.query<{ seq: string }>(`SELECT DISTINCT seq FROM (
      SELECT seq FROM {db}.rtp_samples WHERE conference_id = {c:String} UNION ALL
      SELECT seq FROM {db}.connection_samples WHERE conference_id = {c:String} UNION ALL
      SELECT seq FROM {db}.call_events WHERE conference_id = {c:String}) ORDER BY seq`, { c: conferenceId })
    expect(seqs.map((r) => Number(r.seq))).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1))
    const sessions = await world.query<{ n: string }>('SELECT uniqExact(session_id) AS n FROM {db}.call_events WHERE conference_id = {c:String}', { c: conferenceId })
    expect(Number(sessions[0]!.n)).toBe(1) // one shared session for both connections
    const duplicates = await world.query<{ n: string }>(`SELECT count() AS n FROM (
      SELECT seq, report_id, count() AS c FROM {db}.rtp_samples WHERE conference_id = {c:String} GROUP BY seq, report_id HAVING c > 1
      UNION ALL SELECT seq, pair_id, count() AS c FROM {db}.connection_samples WHERE conference_id = {c:String} GROUP BY seq, pair_id HAVING c > 1
      UNION ALL SELECT seq, '', count() AS c FROM {db}.call_events WHERE conference_id = {c:String} GROUP BY seq HAVING c > 1)`, { c: conferenceId })
    expect(Number(duplicates[0]!.n)).toBe(0)

    // Plausible values: media flowed both ways on both connections, MOS was computed.
    const streams = await world.query<{ pc: string; report_type: string; kind: string; rate: number; samples: string }>(`
      SELECT peer_connection_id AS pc, report_type, kind, max(interval_bitrate_bps) AS rate, count() AS samples
      FROM {db}.rtp_samples WHERE conference_id = {c:String} AND report_type IN ('inbound-rtp', 'outbound-rtp')
      GROUP BY pc, report_type, kind ORDER BY pc, report_type, kind`, { c: conferenceId })
    for (const pc of ['pc-callee', 'pc-caller']) {
      for (const type of ['inbound-rtp', 'outbound-rtp']) {
        for (const kind of ['audio', 'video']) {
          const stream = streams.find((s) => s.pc === pc && s.report_type === type && s.kind === kind)
          expect(stream?.rate, `${pc} ${type} ${kind}`).toBeGreaterThan(kind === 'audio' ? 5_000 : 20_000)
        }
      }
    }
    const [mos] = await world.query<{ n: string; low: number; high: number }>(`SELECT count() AS n, min(mos) AS low, max(mos) AS high FROM {db}.rtp_samples
      WHERE conference_id = {c:String} AND report_type = 'inbound-rtp' AND kind = 'audio' AND mos IS NOT NULL`, { c: conferenceId })
    expect(Number(mos!.n)).toBeGreaterThan(20)
    expect(mos!.low).toBeGreaterThanOrEqual(1)
    expect(mos!.high).toBeLessThanOrEqual(5)
    const events = await world.query<{ name: string; value_text: string; value_number: number | null }>(`SELECT name, value_text, value_number FROM {db}.call_events WHERE conference_id = {c:String} ORDER BY seq`, { c: conferenceId })
    const names = events.map((e) => e.name)
    expect(names.filter((n) => n === 'join')).toHaveLength(2)
    expect(names.filter((n) => n === 'leave')).toHaveLength(2)
    expect(events.filter((e) => e.name === 'mute').map((e) => e.value_text)).toEqual(['audio'])
    expect(events.filter((e) => e.name === 'unmute').map((e) => e.value_text)).toEqual(['audio'])
    expect(events.filter((e) => e.name === 'feedback').map((e) => e.value_number)).toEqual([4])
    expect(events.some((e) => e.name === 'connection-state' && e.value_text === 'connected')).toBe(true)

    // The SDK's cost per monitored connection per interval, on the page's main thread.
    const summary: Record<string, unknown> = {}
    for (const pc of ['pc-caller', 'pc-callee']) {
      const costs = log.costs.filter((c) => c.peerConnectionId === pc)
      expect(costs.length).toBeGreaterThanOrEqual(15)
      const stat = (values: number[]) => {
        const sorted = [...values].sort((a, b) => a - b)
        return { mean: +(values.reduce((a, b) => a + b, 0) / values.length).toFixed(3), p95: +sorted[Math.floor(sorted.length * 0.95)]!.toFixed(3), max: +sorted.at(-1)!.toFixed(3) }
      }
      summary[pc] = { polls: costs.length, getStatsMs: stat(costs.map((c) => c.getStatsMs)), encodeMs: stat(costs.map((c) => c.encodeMs)), bytes: stat(costs.map((c) => c.bytes)), reports: stat(costs.map((c) => c.reports)) }
    }
    console.log(`browser SDK cost per connection per 1 s interval: ${JSON.stringify(summary)}`)
    await page.close()
  }, 90_000)
})

// TLS in front (issue 14): Debian's haproxy runs deploy/haproxy.cfg, the file users run, with
// a private CA and certificate made by openssl for this run, in front of two real ingests
// (round robin, nothing sticky) and the analyst API of a real pipeline. The Node client
// speaks wss:// through it; plain ws:// to the TLS port gets nowhere; when an ingest stops,
// its sessions resume on the other. Under CI (env CI set) a missing haproxy fails the run;
// elsewhere the file is skipped with a message.
import { request } from 'node:https'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Pipeline } from '../app/pipeline.ts'
import { hashKey } from '../lib/key-hash.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { selectReports } from '../sdk/stats-frame.ts'
import { captureFrames, loadCapture } from './support/captures.ts'
import { streamCapture } from './support/stream-capture.ts'
import { createTestCertificates, type TestCertificates } from './support/test-certificates.ts'
import { createTestWorld, eventually, testKey, testTenant, type TestWorld } from './support/test-pipeline.ts'
import { haproxyBinary, startTlsTerminator, type TlsTerminator } from './support/tls-terminator.ts'
import { runScript } from './support/run-script.ts'

const underCi = Boolean(process.env['CI'])
const analystKey = 'analyst-key-acme-tls-0123456789'
const adminKey = 'admin-key-tls-0123456789abcdef'
const missingHaproxy = 'haproxy is not installed (looked in /usr/sbin, /usr/bin, /usr/local/sbin): install Debian\'s package (apt-get install -y haproxy); .ci/run does this before the tests.'

if (!haproxyBinary && !underCi) console.warn(`SKIPPED TLS terminator test: ${missingHaproxy}`)

describe.runIf(!haproxyBinary && underCi)('TLS terminator (integration): prerequisites', () => {
  it('has haproxy', () => {
    throw new Error(missingHaproxy)
  })
})

interface HttpsAnswer {
  status: number
  body: string
}

function https(url: string, ca: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, ca }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.once('error', reject)
    req.end(options.body)
  })
}

/** Data frames an ingest stored in JetStream, from its own /metrics. */
async function framesStoredBy(pipeline: Pipeline): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${pipeline.ingest!.port}/metrics`)).text()
  return [...text.matchAll(/^callmask_ingest_frames_total\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0)
}

describe.runIf(haproxyBinary)('TLS terminator in front of ingest and the API (integration)', () => {
  let world: TestWorld
  let certs: TestCertificates
  let pipeline: Pipeline
  let secondIngest: Pipeline
  let terminator: TlsTerminator

  beforeAll(async () => {
    certs = createTestCertificates()
    world = await createTestWorld()
    pipeline = await world.start({
      apiKeys: [
        { id: 'ana', role: 'analyst', tenant: testTenant, sha256: hashKey(analystKey) },
        { id: 'adm', role: 'admin', sha256: hashKey(adminKey) },
      ],
    })
    secondIngest = await world.start({ role: 'ingest' })
    terminator = await startTlsTerminator({
      certFile: certs.combinedFile,
      ingest: [pipeline, secondIngest].map((p) => `127.0.0.1:${p.ingest!.port}`),
      api: [`127.0.0.1:${pipeline.api!.port}`],
    })
  }, 60_000)
  /** Rows, distinct frames (session, seq) and sessions stored in call_events for a conference. */
  const storedEvents = async (conference: string) => {
    const [row] = await world.query<{ rows: string; frames: string; sessions: string }>(
      'SELECT count() AS rows, uniqExact(session_id, seq) AS frames, uniqExact(session_id) AS sessions FROM {db}.call_events WHERE conference_id = {conference:String}',
      { conference },
    )
    return { rows: Number(row!.rows), frames: Number(row!.frames), sessions: Number(row!.sessions) }
  }

  afterAll(async () => {
    await terminator?.stop()
    await world?.close()
    certs?.remove()
  })

  it('stores every frame the SDK sends over wss:// through the terminator', async () => {
    const frames = captureFrames(loadCapture('chromium-loopback-av.json'))
    const withRtp = frames.filter((f) => selectReports(f.reports).some((r) => r.type.endsWith('-rtp'))).length
    expect(withRtp).toBeGreaterThan(20)
    // Both peers' clients: acked (streamCapture waits for every ack) and stored, each frame once.
    await streamCapture(pipeline, 'chromium-loopback-av.json', 'tls-room', { url: terminator.wssUrl, ca: certs.ca })
    const [stored] = await world.query<{ frames: string; sessions: string }>(
      "SELECT uniqExact(session_id, seq) AS frames, uniqExact(session_id) AS sessions FROM {db}.rtp_samples WHERE conference_id = 'tls-room'",
    )
    expect(Number(stored!.frames)).toBe(withRtp)
    expect(Number(stored!.sessions)).toBe(2)
    const [rows] = await world.query<{ n: string; distinct: string }>(
      "SELECT count() AS n, uniqExact(session_id, seq, report_id) AS distinct FROM {db}.rtp_samples WHERE conference_id = 'tls-room'",
    )
    expect(rows!.n).toBe(rows!.distinct)
  })

  it('a session cut off resumes through the terminator on the other ingest, every frame stored once', async () => {
    const call = { conferenceId: 'tls-resume', participantId: 'u-tls', peerConnectionId: 'pc-tls' }
    const before = await Promise.all([pipeline, secondIngest].map(framesStoredBy))
    const client = new CallmaskClient({ url: terminator.wssUrl, key: testKey, ca: certs.ca, encoding: 'json' })
    await client.connect()
    for (let i = 0; i < 5; i++) await client.sendEvent(call, 'join', i)
    await client.waitForAck(5, 30_000)
    client.dropConnection()
    // Sent while the socket is down: kept, and sent again once the client has reconnected.
    for (let i = 5; i < 10; i++) await client.sendEvent(call, 'join', i)
    await client.waitForAck(10, 30_000)
    client.close()
    expect(client.errors).toEqual([])
    // Round robin, nothing sticky: the reconnect landed on the other ingest.
    const after = await Promise.all([pipeline, secondIngest].map(framesStoredBy))
    expect(after.map((n, i) => n - before[i]!).sort()).toEqual([5, 5])
    await eventually(async () => (await storedEvents('tls-resume')).rows >= 10, 30_000, 'the ten events stored')
    expect(await storedEvents('tls-resume')).toEqual({ rows: 10, frames: 10, sessions: 1 })
  })

  it('refuses plain ws:// on the TLS port, and a client that does not trust the CA', async () => {
    const plain = new WebSocket(terminator.wssUrl.replace('wss://', 'ws://'), 'callmask.v1.json')
    let opened = false
    plain.once('open', () => (opened = true))
    const refusal = await new Promise<Error>((resolve) => plain.once('error', resolve))
    expect(opened).toBe(false)
    expect(refusal.message).toMatch(/socket hang up|ECONNRESET/)

    const untrusting = new CallmaskClient({ url: terminator.wssUrl, key: testKey, reconnect: false })
    await expect(untrusting.connect()).rejects.toThrow(/unable to verify the first certificate/)
    untrusting.close()
  })

  it('answers the analyst API over https:// and keeps /metrics off the public port', async () => {
    expect(await https(`${terminator.httpsUrl}/healthz`, certs.ca)).toEqual({ status: 200, body: '{"ok":true}' })
    const answer = await https(`${terminator.httpsUrl}/v1/tenants/${testTenant}/sql`, certs.ca, {
      method: 'POST',
      headers: { authorization: `Bearer ${analystKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: "SELECT count() AS n FROM call_events WHERE conference_id = 'tls-resume'" }),
    })
    expect(answer.status).toBe(200)
    expect((JSON.parse(answer.body) as { rows: { n: string | number }[] }).rows.map((r) => Number(r.n))).toEqual([10])
    // A request with no key reaches the API too, which refuses it.
    expect((await https(`${terminator.httpsUrl}/v1/tenants/${testTenant}/calls/worst?limit=5`, certs.ca)).status).toBe(401)
    // The API serves /metrics to anyone who reaches it directly; through the terminator it does not exist.
    expect((await fetch(`${pipeline.api!.url}/metrics`)).status).toBe(200)
    for (const path of ['/metrics', '/%6detrics']) expect((await https(`${terminator.httpsUrl}${path}`, certs.ca)).status).toBe(404)
    // Access log lines name method, path and status, never the client address or a query
    // string (haproxy 2.6 still logs the address of a failed TLS handshake: README).
    await eventually(() => terminator.output.some((line) => line.includes(' api/api1 ') && line.endsWith(' GET /v1/tenants/acme/calls/worst')), 10_000, 'the access log line')
    const accessLog = terminator.output.filter((line) => line.includes(' callmask_tls~ '))
    expect(accessLog.length).toBeGreaterThan(5)
    expect(accessLog.join('\n')).not.toMatch(/127\.0\.0\.1|\?/)
  })

  it('the admin CLI reaches the API through the terminator with NODE_EXTRA_CA_CERTS, and says so without it', async () => {
    const env = { CALLMASK_API_URL: terminator.httpsUrl, CALLMASK_ADMIN_KEY: adminKey, CALLMASK_DATA_DIR: world.dataDir, NODE_EXTRA_CA_CERTS: '' }
    const untrusted = await runScript('bin/callmask.ts', ['inventory'], { env })
    expect(untrusted.code).toBe(1)
    expect(untrusted.stderr).toContain(`cannot reach the admin API at ${terminator.httpsUrl}: unable to verify the first certificate (a private CA: set NODE_EXTRA_CA_CERTS to its PEM file)`)
    const trusted = await runScript('bin/callmask.ts', ['inventory'], { env: { ...env, NODE_EXTRA_CA_CERTS: certs.caFile } })
    expect(trusted.stderr).toBe('')
    expect(trusted.code).toBe(0)
    expect(trusted.stdout).toContain('rtp_samples')
  })

  // Last: it stops the second ingest.
  it('an ingest that stops: its clients resume through the terminator on the other one, every frame stored once, and its health check takes it out', async () => {
    const calls = [0, 1].map((i) => ({ conferenceId: 'tls-failover', participantId: `u-fail-${i}`, peerConnectionId: `pc-fail-${i}` }))
    const before = await framesStoredBy(secondIngest)
    // Two sessions in a row: round robin puts one of them on each ingest.
    const clients = calls.map(() => new CallmaskClient({ url: terminator.wssUrl, key: testKey, ca: certs.ca }))
    for (const client of clients) await client.connect()
    for (const [i, client] of clients.entries()) for (let n = 0; n < 5; n++) await client.sendEvent(calls[i]!, 'join', n)
    for (const client of clients) await client.waitForAck(5, 30_000)
    expect((await framesStoredBy(secondIngest)) - before).toBe(5)

    await secondIngest.close()
    // New sessions at once, before the health check can have noticed: round robin sends one
    // of them to the stopped ingest, and haproxy on to the other (option redispatch).
    const late = [0, 1].map(() => new CallmaskClient({ url: terminator.wssUrl, key: testKey, ca: certs.ca, reconnect: false }))
    for (const client of late) await client.connect()
    for (const client of late) await client.sendEvent(calls[0]!, 'leave')
    for (const [i, client] of clients.entries()) for (let n = 5; n < 10; n++) await client.sendEvent(calls[i]!, 'join', n)
    for (const client of [...clients, ...late]) await client.waitForAck(undefined, 30_000)
    for (const client of [...clients, ...late]) client.close()
    // The one cut off was told the server shuts down (retryable), nothing else.
    expect(clients.flatMap((c) => c.errors.map((e) => [e.code, e.retryable]))).toEqual([['CALLMASK_ERR_SHUTTING_DOWN', true]])
    await eventually(async () => (await storedEvents('tls-failover')).rows >= 22, 30_000, 'the 22 events stored')
    expect(await storedEvents('tls-failover')).toEqual({ rows: 22, frames: 22, sessions: 4 })
    // No connection was refused or answered 503 on the way.
    expect(terminator.output.filter((line) => line.includes(' ingest/') && / 50\d /.test(line))).toEqual([])
    // Its /readyz is gone: the health check marks it down (haproxy says so on its output).
    await eventually(() => terminator.output.some((line) => line.includes('Server ingest/ingest2 is DOWN')), 30_000, 'ingest2 marked down')
  })
})

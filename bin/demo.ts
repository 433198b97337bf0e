// `npm run demo`: streams a real browser capture (both peers of the av loopback call)
// through a running callmask and waits until every frame is acknowledged.
import { developmentIngestKey } from '../lib/pipeline.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { selectReports } from '../sdk/stats-frame.ts'
import { captureFrames, loadCapture } from '../test/support/captures.ts'

const url = process.env['CALLMASK_URL'] ?? 'ws://127.0.0.1:8080/v1/ws'
const key = process.env['CALLMASK_KEY'] ?? developmentIngestKey
const frames = captureFrames(loadCapture('chromium-loopback-av.json'))
const clients = new Map<string, CallmaskClient>()
try {
  for (const frame of frames) {
    let client = clients.get(frame.peerId)
    if (!client) {
      client = new CallmaskClient({ url, key, onError: (e) => process.stderr.write(`server error ${e.code}: ${e.message}\n`) })
      await client.connect()
      clients.set(frame.peerId, client)
    }
    await client.sendStats(frame.call, selectReports(frame.reports), frame.ts)
  }
  for (const client of clients.values()) await client.waitForAck(undefined, 30_000)
  process.stdout.write(`Sent ${frames.length} stats frames from ${clients.size} peers to ${url}; all acknowledged (stored in JetStream).\n`)
} catch (error) {
  process.stderr.write(`The demo could not stream to ${url}: ${(error as Error).message}. Is callmask running (npm start)?\n`)
  process.exitCode = 1
} finally {
  for (const client of clients.values()) client.close()
}

// Streams a browser capture through a running pipeline as its peers' SDK clients would
// (one CallmaskClient per peer, replayed relative to now) and waits until every frame is
// stored, so a test can then read the call back.
import type { Pipeline } from '../../app/pipeline.ts'
import { CallmaskClient, type ClientOptions } from '../../sdk/callmask-client.ts'
import { selectReports } from '../../sdk/stats-frame.ts'
import { captureFrames, loadCapture } from './captures.ts'
import { eventually, testKey } from './test-pipeline.ts'

/**
 * Sends `file` (in test/fixtures/webrtc) as conference `conferenceId`, call `call-1`, participants
 * `user-<peer>` on `pc-<peer>`; `clientOptions` override the clients' (another url, a CA).
 */
export async function streamCapture(pipeline: Pipeline, file: string, conferenceId = 'room-a', clientOptions: Partial<ClientOptions> = {}): Promise<void> {
  const frames = captureFrames(loadCapture(file))
  const storedBefore = pipeline.processor!.stats.messages
  const clients = new Map<string, CallmaskClient>()
  for (const frame of frames) {
    let client = clients.get(frame.peerId)
    if (!client) {
      client = new CallmaskClient({ url: pipeline.ingest!.url, key: testKey, ...clientOptions })
      await client.connect()
      clients.set(frame.peerId, client)
    }
    await client.sendStats({ conferenceId, callId: 'call-1', participantId: `user-${frame.peerId}`, peerConnectionId: `pc-${frame.peerId}` }, selectReports(frame.reports), frame.ts)
  }
  for (const client of clients.values()) {
    await client.waitForAck(undefined, 30_000)
    client.close()
  }
  await eventually(() => pipeline.processor!.stats.messages === storedBefore + frames.length, 60_000, 'the call stored')
}

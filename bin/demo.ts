// `npm run demo`: streams a real browser capture (both peers of the av loopback call)
// through a running callmask, replayed relative to now, and reports what happened to every
// frame: stored in JetStream (acknowledged) or refused (with the server's reason). Exits
// non-zero with a sentence when anything was refused or not acknowledged in time.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { replayCapture, type Capture } from '../lib/capture-replay.ts'
import { developmentIngestKey } from '../app/pipeline.ts'
import type { CallContext, ErrorFrame } from '../schemas/frames.ts'
import { CallmaskClient } from '../sdk/callmask-client.ts'
import { selectReports } from '../sdk/stats-frame.ts'

const capturePath = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'webrtc', 'chromium-loopback-av.json')
const url = process.env['CALLMASK_URL'] ?? 'ws://127.0.0.1:8080/v1/ws'
const key = process.env['CALLMASK_KEY'] ?? developmentIngestKey

// Made-up people: the demo shows that what arrives in ClickHouse is pseudonymised.
const demoCalls: Record<string, CallContext> = {
  caller: { conferenceId: 'demo-standup-+49 176 1234 5678', participantId: 'anna.schmidt@example.com', peerConnectionId: 'pc-caller', displayName: 'Anna Schmidt' },
  callee: { conferenceId: 'demo-standup-+49 176 1234 5678', participantId: 'jan.jansen@example.com', peerConnectionId: 'pc-callee', displayName: 'Jan Jansen' },
}

const samples = replayCapture(JSON.parse(readFileSync(capturePath, 'utf8')) as Capture)
const clients = new Map<string, CallmaskClient>()
const sent = new Map<CallmaskClient, number>()
const refusedUnread = new Map<CallmaskClient, number>() // refusals that name no seq
const refused = new Map<string, { frames: number; example: string }>() // by error code
const connectionRefusals = new Set(['CALLMASK_ERR_BAD_KEY', 'CALLMASK_ERR_NO_HELLO', 'CALLMASK_ERR_SESSION_REPLACED'])
let refusedConnection: string | undefined
const onErrorOf = (client: () => CallmaskClient) => (error: ErrorFrame) => {
  if (error.retryable) return // the client resends these itself
  // The connection itself was refused (bad key, no hello, taken over, or an error before the
  // hello's ack, e.g. an invalid hello closing with 4001): nothing more will settle.
  if (connectionRefusals.has(error.code) || client().ackHistory.length === 0) refusedConnection ??= `${error.code}: ${error.message}`
  const seen = refused.get(error.code)
  refused.set(error.code, { frames: (seen?.frames ?? 0) + 1, example: seen?.example ?? error.message })
  if (error.seq === undefined) refusedUnread.set(client(), (refusedUnread.get(client()) ?? 0) + 1)
}

// Every frame is settled once acked or refused for good; a refused seq is acked too. A frame
// refused before its seq could be read (too large) is never acked, so those are counted.
async function waitUntilSettled(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const settled = () => [...clients.values()].every((c) => c.lastAckedSeq + (refusedUnread.get(c) ?? 0) >= (sent.get(c) ?? 0))
  while (!settled()) {
    if (refusedConnection) throw new Error(`the server refused the connection (${refusedConnection})`)
    if (Date.now() > deadline) throw new Error(`not every frame was acknowledged or refused within ${timeoutMs / 1000} s`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

let failure: string | undefined
let sentFrames = 0
try {
  for (const sample of samples) {
    let client = clients.get(sample.peerId)
    if (!client) {
      const created: CallmaskClient = new CallmaskClient({ url, key, onError: onErrorOf(() => created) })
      client = created
      // Kept before connecting, so a failed connect is closed too (or it would keep retrying).
      clients.set(sample.peerId, client)
      await client.connect()
    }
    await client.sendStats(demoCalls[sample.peerId] ?? demoCalls['caller']!, selectReports(sample.reports), sample.ts)
    sent.set(client, (sent.get(client) ?? 0) + 1)
    sentFrames += 1
  }
  await waitUntilSettled(30_000)
} catch (error) {
  failure = (error as Error).message
} finally {
  for (const client of clients.values()) client.close()
}

const refusedFrames = [...refused.values()].reduce((sum, r) => sum + r.frames, 0)
const settled = failure ? 0 : samples.length
const lines = [`Sent ${sentFrames} of ${samples.length} stats frames from ${sent.size} peers to ${url} (capture replayed to end now).`]
if (!failure) lines.push(`  stored in JetStream (acknowledged): ${settled - refusedFrames}`, `  refused by the server:              ${refusedFrames}`)
for (const [code, { frames, example }] of refused) lines.push(`    ${frames} x ${code} (for example: ${example})`)
process.stdout.write(lines.join('\n') + '\n')

if (failure) {
  process.stderr.write(`The demo could not stream to ${url}: ${failure}.${refusedConnection ? ' Check CALLMASK_KEY.' : ' Is callmask running (npm start)?'}\n`)
  process.exitCode = 1
} else if (refused.size > 0) {
  process.stderr.write(`The server refused ${refusedFrames} of ${samples.length} frames (reasons above); nothing was stored for them.\n`)
  process.exitCode = 1
} else {
  process.stdout.write('All frames are stored in JetStream; the processor writes them to ClickHouse, pseudonymised.\n')
}

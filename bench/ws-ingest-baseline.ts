// The baseline for ingest-bench.ts: the smallest `ws` server that does what ingest does per
// frame. It shares everything but the transport with ingest/index.ts: the same
// createSession (hello and key check, size cap, JetStream publish with Nats-Msg-Id, ack after
// the PubAck), the same publisher, keyring, metrics and limits, but each frame is checked the
// way ingest did before the envelope check: decoded and validated in full (checkFrameInFull),
// so the bench compares today's ingest with the full decode + validate + publish baseline. No /healthz, /metrics or graceful drain: those cost nothing per frame.
import type { NatsConnection } from '@nats-io/nats-core'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import { Registry } from 'prom-client'
import { WebSocketServer, type WebSocket } from 'ws'
import { createIngestKeyring } from '../ingest/ingest-keys.ts'
import { createIngestMetrics } from '../ingest/ingest-metrics.ts'
import { createJetStreamPublisher } from '../ingest/jetstream-publisher.ts'
import { createTenantLimits } from '../ingest/rate-limits.ts'
import { createSession } from '../ingest/session-handler.ts'
import { chooseEncoding } from '../lib/wire-codec.ts'
import { checkFrameInFull } from '../lib/frame-envelope-check.ts'
import type { Config } from '../lib/config.ts'
import { ensureStreams } from '../lib/jetstream-streams.ts'

type BaselineConfig = Pick<
  Config,
  'ingestHost' | 'ingestKeys' | 'maxFrameBytes' | 'helloTimeoutMs' | 'publishTimeoutMs' | 'maxInFlight' | 'duplicateWindowS' | 'streamMaxAgeH' | 'framesPerSecondPerSession' | 'framesPerSecondPerTenant' | 'maxSessionsPerTenant'
>

export interface WsIngestServer {
  readonly url: string
  close(): Promise<void>
}

export async function startWsIngest(config: BaselineConfig, deps: { nc: NatsConnection; log: Logger }): Promise<WsIngestServer> {
  const log = deps.log.child({ module: 'ws-baseline' })
  await ensureStreams(deps.nc, { duplicateWindowS: config.duplicateWindowS, maxAgeH: config.streamMaxAgeH })
  const publisher = createJetStreamPublisher(deps.nc, { timeoutMs: config.publishTimeoutMs })
  const sessionDeps = {
    publisher,
    keys: createIngestKeyring(config.ingestKeys ?? []),
    metrics: createIngestMetrics(new Registry()),
    log,
    limits: { maxFrameBytes: config.maxFrameBytes, helloTimeoutMs: config.helloTimeoutMs, maxInFlight: config.maxInFlight },
    tenantLimits: createTenantLimits(config),
    checkFrame: checkFrameInFull,
  }

  const server = new WebSocketServer({
    host: config.ingestHost,
    port: 0,
    path: '/v1/ws',
    maxPayload: Math.min(config.maxFrameBytes * 4, 64 * 1024 * 1024),
    perMessageDeflate: false,
    // Same rule as ingest: a connection offering neither subprotocol is refused with 400.
    verifyClient: (info, done) => {
      const ok = chooseEncoding(String(info.req.headers['sec-websocket-protocol'] ?? '')) !== undefined
      done(ok, 400, 'offer subprotocol callmask.v1.msgpack or callmask.v1.json')
    },
    handleProtocols: (offered) => {
      const encoding = chooseEncoding([...offered].join(','))
      return encoding === undefined ? false : `callmask.v1.${encoding}`
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })

  server.on('connection', (socket: WebSocket, request) => {
    const encoding = socket.protocol === 'callmask.v1.json' ? 'json' : 'msgpack'
    let closed = false
    const sink = {
      get closed() {
        return closed
      },
      send: (payload: Uint8Array | string) => socket.send(payload, { binary: typeof payload !== 'string' }),
      close: (code: number, reason: string) => {
        closed = true
        socket.close(code, reason)
      },
    }
    const session = createSession(sink, encoding, request.headers.origin, sessionDeps)
    // ws hands over a Buffer of its own: no copy needed (uWS needs one).
    socket.on('message', (data: Buffer) => session.onMessage(data))
    socket.on('close', () => {
      closed = true
      session.onClose()
    })
  })

  const { port } = server.address() as AddressInfo
  return {
    url: `ws://${config.ingestHost}:${port}/v1/ws`,
    async close() {
      for (const client of server.clients) client.close(1001, 'server shutting down')
      await new Promise<void>((resolve) => server.close(() => resolve()))
      publisher.close()
    },
  }
}

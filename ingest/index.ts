// Ingest: the uWebSockets.js server on /v1/ws plus /healthz, /readyz and /metrics.
// Thin by design: no ClickHouse and no PII logic here, so it scales out behind a balancer.
import type { NatsConnection } from '@nats-io/nats-core'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { Config } from '../lib/config.ts'
import { closeCodes, ConfigError, wireErrorCodes } from '../lib/errors.ts'
import { inboxPrefixOf } from '../lib/nats-credentials.ts'
import { startAccessKeyCache } from './access-key-cache.ts'
import { createIngestKeyring } from './ingest-keys.ts'
import { createKeySessions } from './key-sessions.ts'
import { createIngestMetrics } from './ingest-metrics.ts'
import { createJetStreamPublisher } from './jetstream-publisher.ts'
import { createTenantLimits } from './rate-limits.ts'
import { createSession, type Session } from './session-handler.ts'
import { createFrameCopier } from './frame-copies.ts'
import { createSessionRegistry } from './session-registry.ts'
import { exclusivePort, uws, uwsIsNative } from './uws-runtime.ts'
import { chooseEncoding, encodeFrame, type Encoding } from '../lib/wire-codec.ts'

export interface IngestDeps {
  nc: NatsConnection
  log: Logger
  /** The process's metrics registry; /metrics serves all of it (processor metrics too in role all). */
  registry: Registry
  /** Further readiness of the same process (role all: the processor). */
  alsoReady?: () => boolean
}

export interface IngestServer {
  readonly port: number
  readonly url: string
  /** Stops accepting, waits for in-flight publishes (bounded), closes sessions with 1001. */
  close(): Promise<void>
}

interface Connection {
  encoding: Encoding
  origin: string | undefined
  session?: Session
  closed: boolean
}

type IngestConfig = Pick<
  Config,
  | 'ingestHost'
  | 'ingestPort'
  | 'ingestKeys'
  | 'maxFrameBytes'
  | 'helloTimeoutMs'
  | 'publishTimeoutMs'
  | 'maxInFlight'
  | 'duplicateWindowS'
  | 'streamMaxAgeH'
  | 'framesPerSecondPerSession'
  | 'framesPerSecondPerTenant'
  | 'maxSessionsPerTenant'
>

export async function startIngest(config: IngestConfig, deps: IngestDeps): Promise<IngestServer> {
  const log = deps.log.child({ module: 'ingest' })
  if (!uwsIsNative) {
    throw new ConfigError(
      `uWebSockets.js could not load its native binary (Node ${process.versions.node}, ABI ${process.versions.modules}; it ships builds for Node 16, 18 and 20 on glibc <= 2.36) and fell back to a JS shim that cannot serve callmask's WebSocket. Run ingest on Node.js 20.`,
    )
  }
  log.info('uWebSockets.js runs natively')
  // Ingest only publishes: the streams are set up by admin (or a processor without
  // authentication); until they exist, frames are refused as CALLMASK_ERR_UNAVAILABLE.
  const metrics = createIngestMetrics(deps.registry)
  const publisher = createJetStreamPublisher(deps.nc, { timeoutMs: config.publishTimeoutMs, inboxPrefix: inboxPrefixOf('ingest') })
  // Run-time keys (created through the admin API) beside the static ones; a revoked or
  // expired one closes its open sessions within a second.
  const accessKeys = await startAccessKeyCache(deps.nc, log)
  const keySessions = createKeySessions(accessKeys)
  const keys = createIngestKeyring(config.ingestKeys ?? [], accessKeys)
  // Claims are announced to the other ingest processes, which close their older connection.
  const sessions = createSessionRegistry(deps.nc)
  const sessionDeps = {
    publisher,
    keys,
    metrics,
    log,
    limits: { maxFrameBytes: config.maxFrameBytes, helloTimeoutMs: config.helloTimeoutMs, maxInFlight: config.maxInFlight },
    tenantLimits: createTenantLimits(config),
    sessions,
    keySessions,
  }
  const open = new Set<uws.WebSocket<Connection>>()
  let shuttingDown = false

  const copyFrame = createFrameCopier()
  const app = uws.App()
  app.ws<Connection>('/v1/ws', {
    // The hard transport cap sits above our own limit so an oversized frame gets a typed error first.
    maxPayloadLength: Math.min(config.maxFrameBytes * 4, 64 * 1024 * 1024),
    maxBackpressure: 1024 * 1024,
    // A client that stops reading would miss acks and error frames: drop it instead; it
    // reconnects and resumes from its last ack.
    closeOnBackpressureLimit: 1,
    idleTimeout: 120,
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => {
      const offered = req.getHeader('sec-websocket-protocol')
      const encoding = chooseEncoding(offered)
      if (!encoding || shuttingDown) {
        res.writeStatus(shuttingDown ? '503 Service Unavailable' : '400 Bad Request')
        res.end(shuttingDown ? 'server is shutting down' : 'offer subprotocol callmask.v1.msgpack or callmask.v1.json')
        return
      }
      const origin = req.getHeader('origin') || undefined
      res.upgrade<Connection>(
        { encoding, origin, closed: false },
        req.getHeader('sec-websocket-key'),
        encoding === 'json' ? 'callmask.v1.json' : 'callmask.v1.msgpack',
        req.getHeader('sec-websocket-extensions'),
        context,
      )
    },
    open: (ws) => {
      const data = ws.getUserData()
      open.add(ws)
      metrics.sessions.inc()
      const sink = {
        get closed() {
          return data.closed
        },
        // Sends often follow an await (a PubAck): uWS wants those corked.
        send: (payload: Uint8Array | string) => {
          ws.cork(() => ws.send(payload, typeof payload !== 'string'))
        },
        close: (code: number, reason: string) => {
          data.closed = true
          ws.end(code, reason)
        },
      }
      data.session = createSession(sink, data.encoding, data.origin, sessionDeps)
    },
    message: (ws, message) => {
      // The ArrayBuffer dies when this handler returns: the session gets its own copy.
      ws.getUserData().session?.onMessage(copyFrame(message))
    },
    close: (ws) => {
      const data = ws.getUserData()
      data.closed = true
      data.session?.onClose()
      open.delete(ws)
      metrics.sessions.dec()
    },
  })
  app.get('/healthz', (res) => {
    res.end('ok')
  })
  app.get('/readyz', (res) => {
    const ready = !shuttingDown && !deps.nc.isClosed() && publisher.connected && (deps.alsoReady?.() ?? true)
    res.writeStatus(ready ? '200 OK' : '503 Service Unavailable').end(ready ? 'ready' : 'not ready')
  })
  app.get('/metrics', (res) => {
    let aborted = false
    res.onAborted(() => {
      aborted = true
    })
    metrics.inFlight.set(publisher.inFlight)
    void metrics.registry.metrics().then((text) => {
      if (aborted) return
      res.cork(() => {
        res.writeHeader('content-type', metrics.registry.contentType).end(text)
      })
    })
  })
  app.any('/*', (res) => {
    res.writeStatus('404 Not Found').end('not found: use /v1/ws, /healthz, /readyz or /metrics')
  })

  // Exclusively: with SO_REUSEPORT (uWS's default) a second callmask on the same port would
  // start silently and the kernel would split the traffic between two stores.
  const listenSocket = await new Promise<uws.us_listen_socket>((resolve, reject) => {
    const listen = app.listen as unknown as (host: string, port: number, options: number, cb: (socket: uws.us_listen_socket | false) => void) => void
    listen.call(app, config.ingestHost, config.ingestPort, exclusivePort, (socket) => {
      if (socket) resolve(socket)
      else {
        reject(
          new ConfigError(
            `Ingest cannot listen on ${config.ingestHost}:${config.ingestPort}: the port is taken (another callmask, or another program) or the address is not this machine's. Stop the other one, or set CALLMASK_INGEST_PORT (and CALLMASK_INGEST_HOST).`,
          ),
        )
      }
    })
  })
  const port = uws.us_socket_local_port(listenSocket)
  const url = `ws://${config.ingestHost}:${port}/v1/ws`
  log.info({ url }, 'ingest listening')

  return {
    port,
    url,
    async close() {
      if (shuttingDown) return
      shuttingDown = true
      uws.us_listen_socket_close(listenSocket)
      const deadline = Date.now() + 5000
      while (publisher.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      await new Promise((r) => setImmediate(r)) // let the last acks go out
      for (const ws of open) {
        const data = ws.getUserData()
        if (!data.closed) {
          data.closed = true
          const goodbye = { type: 'error', code: wireErrorCodes.shuttingDown, message: 'server shutting down; reconnect and resume from the last ack', retryable: true }
          ws.cork(() => {
            ws.send(encodeFrame(goodbye, data.encoding), data.encoding === 'msgpack')
            ws.end(closeCodes.shuttingDown, 'server shutting down')
          })
        }
      }
      publisher.close()
      sessions.close()
      keySessions.stop()
      accessKeys.close()
      log.info('ingest stopped')
    },
  }
}

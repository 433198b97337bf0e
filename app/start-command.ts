// `npm start` / `npx callmask`: runs the whole pipeline in one process on the embedded
// defaults (a private nats-server and chdb under ./data), or the role CALLMASK_ROLE names
// against NATS_URL and CLICKHOUSE_URL. Prints where to connect and how to query what arrived.
import { loadConfig } from '../lib/config.ts'
import { CallmaskError } from '../lib/errors.ts'
import { createLogger } from '../lib/logger.ts'
import { developmentApiKey, developmentIngestKey, developmentTenant, startPipeline } from './pipeline.ts'
import { stopSentence } from './stop-sentence.ts'

export async function runStart(): Promise<void> {
  // Everything callmask creates (chdb store, keys, NATS files) is for this user only.
  process.umask(0o077)
  const config = loadConfig()
  const log = createLogger(config.logLevel)
  const pipeline = await startPipeline(config, log)
  const lines = ['', 'callmask is running.']
  if (pipeline.ingest) {
    lines.push(`  Ingest WebSocket:  ${pipeline.ingest.url}  (subprotocol callmask.v1.msgpack or callmask.v1.json)`)
    lines.push(`  Health, metrics:   http://${config.ingestHost}:${pipeline.ingest.port}/healthz  /readyz  /metrics`)
  }
  if (pipeline.embeddedDevKey) lines.push(`  Development key:   ${developmentIngestKey}  (tenant "${developmentTenant}"; set CALLMASK_INGEST_KEYS for real keys)`)
  if (pipeline.api) {
    lines.push(`  Dashboard:         ${pipeline.api.url}/  (sign in with an analyst key)`)
    lines.push(`  Analyst API:       ${pipeline.api.url}/v1/tenants/<tenant>/quality  (Authorization: Bearer <analyst key>)`)
    if (pipeline.embeddedDevApiKey) lines.push(`  Analyst dev key:   ${developmentApiKey}  (tenant "${developmentTenant}"; set CALLMASK_API_KEYS for real keys)`)
  }
  if (pipeline.natsUrl) lines.push(`  NATS JetStream:    ${pipeline.natsUrl}`)
  if (pipeline.clickhouseWhere) {
    lines.push(`  Stored in:         ${pipeline.clickhouseWhere}, database ${config.clickhouseDatabase}`)
    lines.push(`  Query it:          ${config.dataDir === './data' ? '' : `CALLMASK_DATA_DIR=${config.dataDir} `}npm run query -- "SELECT tenant, count() FROM ${config.clickhouseDatabase}.rtp_samples GROUP BY tenant"`)
    lines.push('                     (while callmask runs on chdb, the query goes through its analyst API)')
  }
  if (pipeline.natsServer) lines.push(`  NATS users, log:   ${config.dataDir}/nats-credentials.json (0600), ${pipeline.natsServer.logFile}`)
  // The hints carry the settings that differ from the defaults, so they work as printed.
  const dirEnv = config.dataDir === './data' ? '' : `CALLMASK_DATA_DIR=${config.dataDir} `
  const urlEnv = pipeline.ingest && pipeline.ingest.url !== 'ws://127.0.0.1:8080/v1/ws' ? `CALLMASK_URL=${pipeline.ingest.url} ` : ''
  lines.push(
    `  Keys:              ${dirEnv}npm run keys -- list   (finds this instance through the data directory)`,
    `  Try it:            ${urlEnv}npm run demo   (streams a real browser capture through the pipeline)`,
    ...(pipeline.api
      ? [`  Privacy officer:   ${config.natsUrl ? `CALLMASK_API_URL=${pipeline.api.url} CALLMASK_ADMIN_KEY=<admin key> ` : dirEnv}npx callmask help   (erasure, export, audit log${config.natsUrl ? '' : `; admin key in ${config.dataDir}/admin.key while this runs`})`]
      : []),
    `  Stop:              Ctrl-C, or kill -INT ${process.pid}`,
    '',
  )
  process.stdout.write(lines.join('\n') + '\n')

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'shutting down: draining in-flight frames')
    const report = await pipeline.close()
    process.stdout.write(stopSentence(report, pipeline.processor?.stats.messages) + '\n')
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

/** Our own errors are sentences already; anything else gets no stack trace either. */
export function startFailed(error: unknown): never {
  const message = error instanceof CallmaskError ? error.message : (error as Error).message
  process.stderr.write(`callmask failed to start: ${message}\n`)
  process.exit(1)
}

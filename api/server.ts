// The analyst HTTP API (fastify: JSON-Schema-validated routes, pino): quality over time,
// worst calls, one conference's timeline, distributions and active alerts, each read-only
// and scoped to one tenant. Keys: `Authorization: Bearer <key>`; a missing or unknown key
// gets 401, a key of another tenant 403, a bad query 400, each with a message.
import type { ClickHouseClient } from '@clickhouse/client'
import type { Readable } from 'node:stream'
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { Histogram, type Registry } from 'prom-client'
import type { AccessKeyReader } from '../lib/access-key-store.ts'
import type { ApiKeyEntry } from '../lib/config.ts'
import { ConfigError } from '../lib/errors.ts'
import { createAnalystQueries, distributionMetrics, type DistributionMetric, type ResultFormat } from '../storage/analyst-queries.ts'
import { createApiKeyring, mayRead, type ApiPrincipal } from './api-keys.ts'
import { dashboardRoutes } from './dashboard-routes.ts'
import { registerSqlRoute } from './sql-route.ts'
import { registerAdminRoutes } from './admin-routes.ts'
import type { AdminContext } from '../privacy/admin-context.ts'
import type { AuditLog } from '../privacy/audit-log.ts'
import { PrivacyOperationError } from '../privacy/operation-error.ts'
import { parseTimeRange, timeRangeQuerySchema, TimeRangeError } from './time-range.ts'
import { tenantNamePattern } from '../lib/tenant-name.ts'

export interface ApiOptions {
  host: string
  port: number
  database: string
  apiKeys: readonly ApiKeyEntry[]
  /** Longest time range a query may span. @default 31 */
  maxRangeDays?: number
}

export interface ApiDeps {
  clickhouse: ClickHouseClient
  log: Logger
  registry: Registry
  /** The privacy officer's operations (admin keys only); without it those routes answer 503. */
  admin?: AdminContext
  /** Where requests are audited; unset, the admin context's audit log (if any). */
  audit?: AuditLog
  /** Run-time keys (created through the admin API); unset: only CALLMASK_API_KEYS. */
  accessKeys?: AccessKeyReader
}

export interface ApiServer {
  url: string
  port: number
  close(): Promise<void>
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: ApiPrincipal
  }
  interface FastifyContextConfig {
    /** Set on routes only admin keys may call. */
    role?: 'admin'
  }
}

/** Routes anyone may fetch: the dashboard's page and assets, and liveness. */
const publicRoutes: ReadonlySet<string> = new Set(['/', '/favicon.ico', '/dashboard/:asset', '/healthz', '/metrics'])

const tenantParams = { type: 'object', required: ['tenant'], properties: { tenant: { type: 'string', pattern: tenantNamePattern } } } as const
const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 },
  offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
  format: { type: 'string', enum: ['json', 'csv', 'ndjson'], default: 'json', description: 'csv and ndjson are streamed' },
} as const

interface PageQuery {
  from?: string
  to?: string
  limit: number
  offset: number
  format: ResultFormat
}

function send(reply: FastifyReply, format: ResultFormat, rows: Record<string, unknown>[] | Readable, page?: { limit: number; offset: number }) {
  if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(rows)
  if (format === 'ndjson') return reply.type('application/x-ndjson').send(rows)
  const list = rows as Record<string, unknown>[]
  return reply.send(page ? { rows: list, count: list.length, limit: page.limit, offset: page.offset } : { rows: list, count: list.length })
}

export async function startApi(options: ApiOptions, deps: ApiDeps): Promise<ApiServer> {
  const log = deps.log.child({ module: 'api' })
  const audit = deps.audit ?? deps.admin?.audit
  const keys = createApiKeyring(options.apiKeys, deps.accessKeys)
  const queries = createAnalystQueries(deps.clickhouse, options.database)
  const maxRangeDays = options.maxRangeDays ?? 31
  const duration = new Histogram({
    name: 'callmask_api_request_duration_seconds',
    help: 'Analyst API requests by route and status',
    labelNames: ['route', 'status'],
    registers: [deps.registry],
  })
  // Unknown query parameters are refused, not silently removed (fastify's default).
  // Typed as the plain instance, so route modules take a FastifyInstance (pino's Logger type
  // is narrower than fastify's own and would otherwise leak into every signature).
  const app: FastifyInstance = Fastify({
    loggerInstance: log,
    // One line per request, our own (onResponse below), instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 65_536,
    ajv: { customOptions: { removeAdditional: false } },
  }) as unknown as FastifyInstance

  // Decided by the route fastify matched, never by the raw URL: `/%761/...` and absolute-form
  // targets reach the same routes. Every route needs a key except the public few; a request
  // that matches no route goes to the 404 handler either way.
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url
    if (route === undefined || publicRoutes.has(route)) return
    const header = request.headers.authorization ?? ''
    const key = header.startsWith('Bearer ') ? header.slice(7).trim() : ''
    if (!key) return reply.code(401).send({ error: 'CALLMASK_ERR_UNAUTHORIZED', message: 'send an API key: Authorization: Bearer <key>' })
    const check = await keys.authenticate(key)
    if (!check.ok) {
      return reply.code(check.status).send({ error: check.status === 401 ? 'CALLMASK_ERR_UNAUTHORIZED' : 'CALLMASK_ERR_KEY_STORE', message: check.message })
    }
    const principal = check.principal
    request.principal = principal
    if (request.routeOptions.config.role === 'admin' && principal.role !== 'admin') {
      return reply.code(403).send({ error: 'CALLMASK_ERR_FORBIDDEN', message: 'this operation needs an admin key' })
    }
    const tenant = (request.params as { tenant?: string } | undefined)?.tenant
    if (tenant !== undefined && !mayRead(principal, tenant)) {
      return reply.code(403).send({ error: 'CALLMASK_ERR_FORBIDDEN', message: `this ${principal.role} key may not read tenant ${tenant}` })
    }
  })
  // Every request logged with key id, route, status and duration, and counted.
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown'
    const seconds = reply.elapsedTime / 1000
    duration.observe({ route, status: String(reply.statusCode) }, seconds)
    log.info({ keyId: request.principal?.keyId, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'api request')
    // Every request made with a key is audited: who, which route, which tenant, the result.
    // Never the query string or body: they may hold a raw identifier.
    if (audit && request.principal) {
      const status = reply.statusCode
      await audit
        .record({
          keyId: request.principal.keyId,
          role: request.principal.role,
          tenant: (request.params as { tenant?: string } | undefined)?.tenant ?? '',
          operation: `${request.method} ${route}`,
          result: status < 400 ? 'ok' : status < 500 ? 'refused' : 'failed',
          status,
        })
        .catch((error: Error) => log.error({ err: error.message, route }, 'the audit log refused a request record'))
    }
  })
  app.setErrorHandler(async (error: Error & { validation?: unknown; statusCode?: number }, request, reply) => {
    if (error instanceof PrivacyOperationError) return reply.code(error.status).send({ error: error.code, message: error.message })
    if (error.validation || error instanceof TimeRangeError) {
      return reply.code(400).send({ error: 'CALLMASK_ERR_BAD_REQUEST', message: error.message })
    }
    if (error.statusCode && error.statusCode < 500) return reply.code(error.statusCode).send({ error: 'CALLMASK_ERR_BAD_REQUEST', message: error.message })
    log.error({ err: error.message, route: request.routeOptions.url }, 'api request failed')
    return reply.code(500).send({ error: 'CALLMASK_ERR_INTERNAL', message: 'the query failed; the server log has the reason' })
  })
  app.setNotFoundHandler(async (request, reply) => reply.code(404).send({ error: 'CALLMASK_ERR_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` }))

  app.get('/healthz', async () => ({ ok: true }))
  // Prometheus, like ingest's /metrics: counts and durations only, no identifiers.
  app.get('/metrics', async (_request, reply) => reply.type(deps.registry.contentType).send(await deps.registry.metrics()))
  await app.register(dashboardRoutes)

  app.get<{ Params: { tenant: string }; Querystring: PageQuery & { conference?: string; kind?: string; direction?: string } }>(
    '/v1/tenants/:tenant/quality',
    {
      schema: {
        params: tenantParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...timeRangeQuerySchema,
            ...pageQuery,
            conference: { type: 'string', minLength: 1, maxLength: 256 },
            kind: { type: 'string', enum: ['audio', 'video'] },
            direction: { type: 'string', enum: ['received', 'sent'] },
          },
        },
      },
    },
    async (request, reply) => {
      const q = request.query
      const rows = await queries.qualityOverTime(request.params.tenant, parseTimeRange(q, maxRangeDays), { conferenceId: q.conference, kind: q.kind, direction: q.direction }, q, q.format)
      return send(reply, q.format, rows, q)
    },
  )

  app.get<{ Params: { tenant: string }; Querystring: PageQuery }>(
    '/v1/tenants/:tenant/calls/worst',
    { schema: { params: tenantParams, querystring: { type: 'object', additionalProperties: false, properties: { ...timeRangeQuerySchema, ...pageQuery } } } },
    async (request, reply) => {
      const q = request.query
      return send(reply, q.format, await queries.worstCalls(request.params.tenant, parseTimeRange(q, maxRangeDays), q, q.format), q)
    },
  )

  app.get<{ Params: { tenant: string; conference: string }; Querystring: { from?: string; to?: string } }>(
    '/v1/tenants/:tenant/conferences/:conference/timeline',
    {
      schema: {
        params: { type: 'object', required: ['tenant', 'conference'], properties: { ...tenantParams.properties, conference: { type: 'string', minLength: 1, maxLength: 256 } } },
        querystring: { type: 'object', additionalProperties: false, properties: timeRangeQuerySchema },
      },
    },
    async (request) => queries.callTimeline(request.params.tenant, request.params.conference, parseTimeRange(request.query, maxRangeDays), 50_000),
  )

  app.get<{ Params: { tenant: string; metric: DistributionMetric }; Querystring: { from?: string; to?: string; format: ResultFormat } }>(
    '/v1/tenants/:tenant/distributions/:metric',
    {
      schema: {
        params: { type: 'object', required: ['tenant', 'metric'], properties: { ...tenantParams.properties, metric: { type: 'string', enum: Object.keys(distributionMetrics) } } },
        querystring: { type: 'object', additionalProperties: false, properties: { ...timeRangeQuerySchema, format: pageQuery.format } },
      },
    },
    async (request, reply) => {
      const q = request.query
      return send(reply, q.format, await queries.distribution(request.params.tenant, request.params.metric, parseTimeRange(q, maxRangeDays), q.format))
    },
  )

  app.get<{ Params: { tenant: string }; Querystring: Omit<PageQuery, 'from' | 'to'> }>(
    '/v1/tenants/:tenant/alerts',
    { schema: { params: tenantParams, querystring: { type: 'object', additionalProperties: false, properties: pageQuery } } },
    async (request, reply) => {
      const q = request.query
      return send(reply, q.format, await queries.activeAlerts(request.params.tenant, q, q.format), q)
    },
  )

  registerSqlRoute(app, deps.clickhouse, { database: options.database })
  registerAdminRoutes(app, deps.admin)

  const address = await app.listen({ host: options.host, port: options.port }).catch(async (error: NodeJS.ErrnoException) => {
    await app.close()
    if (error.code === 'EADDRINUSE') throw new ConfigError(`The analyst API cannot listen on ${options.host}:${options.port}: the port is taken (set CALLMASK_API_PORT).`)
    throw error
  })
  const port = app.server.address() !== null && typeof app.server.address() === 'object' ? (app.server.address() as { port: number }).port : options.port
  log.info({ url: address }, 'analyst API listening')
  return { url: `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`, port, close: () => app.close() }
}

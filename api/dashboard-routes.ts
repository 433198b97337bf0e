// The built-in dashboard: one page at `/` and its assets under `/dashboard/`, served as
// files (plain ES modules, no build step) with uPlot taken from node_modules by path, so
// the page works offline. No auth here: the page asks for the analyst key and sends it as
// a Bearer header to the `/v1/` routes, which check it. Every response says
// `Content-Security-Policy: default-src 'self'`.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyPluginAsync } from 'fastify'

const here = join(dirname(fileURLToPath(import.meta.url)), 'dashboard')
const uplotDist = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.esm.js'))

const types = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' } as const

/** The files the page may load: name under /dashboard/ -> file on disk. Nothing else is served. */
const assets: Record<string, string> = {
  'dashboard.js': join(here, 'dashboard.js'),
  'api-client.js': join(here, 'api-client.js'),
  'charts.js': join(here, 'charts.js'),
  'timeline.js': join(here, 'timeline.js'),
  'dashboard.css': join(here, 'dashboard.css'),
  'uPlot.esm.js': join(uplotDist, 'uPlot.esm.js'),
  'uPlot.min.css': join(uplotDist, 'uPlot.min.css'),
}

function typeOf(file: string): string {
  const ext = file.slice(file.lastIndexOf('.') + 1) as keyof typeof types
  return types[ext] ?? 'application/octet-stream'
}

/** A fastify plugin: `/` and `/dashboard/:asset` on the API's app. Files are read once, at start-up. */
export const dashboardRoutes: FastifyPluginAsync = async (app) => {
  const cache = new Map<string, Buffer>()
  for (const [name, file] of [['index.html', join(here, 'index.html')], ...Object.entries(assets)] as const) cache.set(name, readFileSync(file))
  const security = { 'content-security-policy': "default-src 'self'", 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' }

  app.get('/', async (_request, reply) => reply.headers(security).type(types.html).send(cache.get('index.html')))
  // Browsers ask for it unprompted; there is none.
  app.get('/favicon.ico', async (_request, reply) => reply.headers(security).code(204).send())
  app.get<{ Params: { asset: string } }>(
    '/dashboard/:asset',
    { schema: { params: { type: 'object', required: ['asset'], properties: { asset: { type: 'string', enum: Object.keys(assets) } } } } },
    async (request, reply) => reply.headers(security).type(typeOf(request.params.asset)).send(cache.get(request.params.asset)),
  )
}

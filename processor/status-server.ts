// A processor-only process has no ingest server: this small HTTP server gives it the same
// /healthz, /readyz and /metrics, for probes and Prometheus.
import { createServer, type Server } from 'node:http'
import type { Registry } from 'prom-client'

export async function startStatusServer(options: { host: string; port: number; registry: Registry; ready: () => boolean }): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/healthz') return void res.end('ok')
    if (req.url === '/readyz') {
      const ready = options.ready()
      res.statusCode = ready ? 200 : 503
      return void res.end(ready ? 'ready' : 'not ready')
    }
    if (req.url === '/metrics') {
      void options.registry.metrics().then((text) => {
        res.setHeader('content-type', options.registry.contentType)
        res.end(text)
      })
      return
    }
    res.statusCode = 404
    res.end('not found: use /healthz, /readyz or /metrics')
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const address = server.address()
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

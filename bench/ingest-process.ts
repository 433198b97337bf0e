// An ingest of its own process (`bin/callmask.ts`, role ingest), as a deployment runs it, on a
// test world's nats-server with the world's ingest NATS user and ingest key; the rate limits
// off. Ready once its /readyz answers 200. The e2e benchmark runs it beside the processor.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { hashIngestKey } from '../ingest/ingest-keys.ts'
import { closedPort } from '../test/support/closed-port.ts'
import { testKey, testTenant, type TestWorld } from '../test/support/test-pipeline.ts'
import { sleep } from './bench-report.ts'

export interface IngestProcess {
  url: string
  pid: number
  stop(): Promise<void>
}

export async function startIngestProcess(world: TestWorld): Promise<IngestProcess> {
  const port = await closedPort()
  const entry = fileURLToPath(new URL('../bin/callmask.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: {
      ...process.env,
      CALLMASK_ROLE: 'ingest',
      NATS_URL: world.nats.url,
      NATS_CREDENTIALS_FILE: join(world.dataDir, 'nats-credentials.json'),
      CALLMASK_INGEST_HOST: '127.0.0.1',
      CALLMASK_INGEST_PORT: String(port),
      CALLMASK_INGEST_KEYS: JSON.stringify([{ id: 'bench', tenant: testTenant, sha256: hashIngestKey(testKey) }]),
      CALLMASK_SESSION_FPS: '1000000',
      CALLMASK_TENANT_FPS: '10000000',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  process.once('exit', () => child.kill('SIGKILL'))
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the ingest process exited with ${child.exitCode} before it was ready`)
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)
    if (ready) break
    if (Date.now() > deadline) throw new Error('the ingest process was not ready within 30 s')
    await sleep(100)
  }
  return {
    url: `ws://127.0.0.1:${port}/v1/ws`,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}

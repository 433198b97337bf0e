// An ingest of its own process (`bin/callmask.ts`, role ingest), as a deployment runs it, on a
// test world's nats-server (or cluster) with the world's ingest NATS user and ingest key; the
// rate limits off. Ready once its /readyz answers 200. The e2e benchmark runs it beside the
// processor; the scale-out tests run two and kill one with SIGKILL.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { hashIngestKey } from '../../ingest/ingest-keys.ts'
import { closedPort } from './closed-port.ts'
import { testKey, testTenant, type TestWorld } from './test-pipeline.ts'

export interface IngestProcess {
  url: string
  port: number
  pid: number
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<void>
  /** SIGKILL (a crash), and waits for the exit. */
  kill(): Promise<void>
}

export async function startIngestProcess(world: TestWorld): Promise<IngestProcess> {
  const port = await closedPort()
  const entry = fileURLToPath(new URL('../../bin/callmask.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: {
      ...process.env,
      CALLMASK_ROLE: 'ingest',
      NATS_URL: world.natsUrl,
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
    port,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
    async kill() {
      child.kill('SIGKILL')
      await exited
    },
  }
}

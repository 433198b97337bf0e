// A callmask service in a process of its own (`bin/callmask.ts` with CALLMASK_ROLE), as a
// deployment runs it, on a test world's nats-server (or cluster) with the world's NATS users,
// ingest key and master key; the rate limits off. Ready once its /readyz answers 200 (ingest's
// port, or the processor's status port). A processor needs a world with a ClickHouse process
// (`createTestWorld({ clickhouseProcess: true })`): chdb holds its store in one process only.
// The e2e benchmark runs an ingest beside the processor; the scale-out tests and the fault
// matrix kill them with SIGKILL.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { hashIngestKey } from '../../ingest/ingest-keys.ts'
import { closedPort } from './closed-port.ts'
import { testKey, testTenant, type TestWorld } from './test-pipeline.ts'
import { dieWithParent, signalAndWait } from '../../lib/child-process-lifetime.ts'

export type ServiceRole = 'ingest' | 'processor'

export interface ServiceProcess {
  role: ServiceRole
  /** Ingest's WebSocket URL (role ingest). */
  url: string
  /** Ingest's port, or the processor's status port. */
  port: number
  pid: number
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<void>
  /** SIGKILL (a crash), and waits for the exit. */
  kill(): Promise<void>
}

export async function startServiceProcess(world: TestWorld, role: ServiceRole, env: Record<string, string> = {}): Promise<ServiceProcess> {
  if (role === 'processor' && !world.clickhouseUrl) throw new Error('a processor process needs a world with a ClickHouse process (clickhouseProcess: true)')
  const port = await closedPort()
  const entry = fileURLToPath(new URL('../../bin/callmask.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: {
      ...process.env,
      CALLMASK_ROLE: role,
      NATS_URL: world.natsUrl,
      NATS_CREDENTIALS_FILE: join(world.dataDir, 'nats-credentials.json'),
      CALLMASK_STREAM_REPLICAS: String(world.natsCluster?.nodes.length ?? 1),
      CALLMASK_INGEST_KEYS: JSON.stringify([{ id: 'test', tenant: testTenant, sha256: hashIngestKey(testKey) }]),
      ...(role === 'ingest'
        ? { CALLMASK_INGEST_HOST: '127.0.0.1', CALLMASK_INGEST_PORT: String(port), CALLMASK_SESSION_FPS: '1000000', CALLMASK_TENANT_FPS: '10000000' }
        : {
            CLICKHOUSE_URL: world.clickhouseUrl!,
            CLICKHOUSE_DATABASE: world.database,
            CALLMASK_MASTER_KEY: world.masterKey,
            CALLMASK_STATUS_PORT: String(port),
            CALLMASK_BATCH_MAX_MS: '100',
            CALLMASK_DATA_DIR: join(world.dataDir, `processor-${port}`),
          }),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  dieWithParent(child)
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the ${role} process exited with ${child.exitCode} before it was ready`)
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)
    if (ready) break
    if (Date.now() > deadline) throw new Error(`the ${role} process was not ready within 60 s`)
    await sleep(100)
  }
  return {
    role,
    url: `ws://127.0.0.1:${port}/v1/ws`,
    port,
    pid: child.pid!,
    stop: () => signalAndWait(child, 'SIGTERM'),
    kill: () => signalAndWait(child, 'SIGKILL'),
  }
}

// Runs test/support/chdb-http-server.ts as a process of its own: a ClickHouse server (chdb
// behind ClickHouse's HTTP interface) that processor processes share, and that a test can
// stop (ClickHouse unavailable: connections refused), restart on the same port and store,
// kill, or slow down.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { dieWithParent, signalAndWait } from '../../lib/child-process-lifetime.ts'

export interface ClickHouseProcess {
  readonly url: string
  /** SIGTERM: it stops answering, connections are refused. */
  stop(): Promise<void>
  /** SIGKILL. */
  kill(): Promise<void>
  /** Starts it again on the same port and store. */
  restart(): Promise<void>
  /** Every answer from now on waits this long (0: none). */
  setLatency(ms: number): Promise<void>
}

export async function startClickHouseProcess(storePath: string): Promise<ClickHouseProcess> {
  const entry = fileURLToPath(new URL('./chdb-http-server.ts', import.meta.url))
  let port = 0
  let child: ChildProcess | undefined

  async function launch(): Promise<void> {
    const proc = spawn(process.execPath, ['--import', 'tsx', entry, storePath, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] })
    child = proc
    dieWithParent(proc)
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: proc.stdout! }).once('line', resolve)
      proc.once('exit', (code) => reject(new Error(`the ClickHouse process exited with ${code} before listening`)))
    })
    port = (JSON.parse(line) as { port: number }).port
  }

  // A stop whose chdb session does not close (a CI run saw it hang with the server already
  // closed: connections refused for 5 minutes, the restart never came) ends as a kill.
  async function signal(name: NodeJS.Signals): Promise<void> {
    const proc = child
    child = undefined
    if (proc) await signalAndWait(proc, name, { killAfterMs: 15_000 })
  }

  await launch()
  const url = () => `http://127.0.0.1:${port}`
  return {
    get url() {
      return url()
    },
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    async restart() {
      await signal('SIGTERM')
      await launch()
    },
    async setLatency(ms) {
      const response = await fetch(`${url()}/__faults`, { method: 'POST', body: JSON.stringify({ latencyMs: ms }) })
      if (!response.ok) throw new Error(`the ClickHouse process refused the latency: ${response.status}`)
    },
  }
}

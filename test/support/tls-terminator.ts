// Runs Debian's haproxy with deploy/haproxy.cfg (the very file users run) as a child process
// on a free loopback port, configured only through the environment variables the file reads.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { closedPort } from './closed-port.ts'
import { eventually } from './test-pipeline.ts'
import { dieWithParent, signalAndWait } from '../../lib/child-process-lifetime.ts'

export const haproxyBinary = ['/usr/sbin/haproxy', '/usr/bin/haproxy', '/usr/local/sbin/haproxy'].find((path) => existsSync(path))
export const haproxyConfig = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy', 'haproxy.cfg')

export interface TlsTerminator {
  readonly port: number
  /** wss://127.0.0.1:<port>/v1/ws (the certificate names 127.0.0.1 and localhost). */
  readonly wssUrl: string
  readonly httpsUrl: string
  /** haproxy's output: its access log lines and any warning. */
  readonly output: string[]
  stop(): Promise<void>
}

export interface TerminatorBackends {
  certFile: string
  ingest: string[]
  api: string[]
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })

export async function startTlsTerminator(backends: TerminatorBackends): Promise<TlsTerminator> {
  if (!haproxyBinary) throw new Error('haproxy is not installed')
  const port = await closedPort()
  // Only the variables the file reads (and PATH): none of the caller's own leaks in.
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', CALLMASK_TLS_BIND: `127.0.0.1:${port}`, CALLMASK_TLS_CERT: backends.certFile }
  backends.ingest.forEach((address, i) => (env[`CALLMASK_TLS_INGEST_${i + 1}`] = address))
  backends.api.forEach((address, i) => (env[`CALLMASK_TLS_API_${i + 1}`] = address))
  const proc = spawn(haproxyBinary, ['-f', haproxyConfig, '-db'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const output: string[] = []
  const collect = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean))
  proc.stdout.on('data', collect)
  proc.stderr.on('data', collect)
  dieWithParent(proc)
  await eventually(async () => {
    if (proc.exitCode !== null) throw new Error(`haproxy exited with code ${proc.exitCode}: ${output.join('\n')}`)
    return accepts(port)
  }, 10_000, 'haproxy to listen')
  return {
    port,
    wssUrl: `wss://127.0.0.1:${port}/v1/ws`,
    httpsUrl: `https://127.0.0.1:${port}`,
    output,
    stop: () => signalAndWait(proc, 'SIGTERM'),
  }
}

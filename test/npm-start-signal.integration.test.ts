// Regression: `kill -INT <pid of npm start>` did nothing (npm's shell did not pass the signal
// on). The start script now execs node, so npm's signal reaches callmask, which drains,
// stops its nats-server and says what it stored. Runs the real `npm start` on a temp data dir.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { eventually } from './support/test-pipeline.ts'

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('npm start (integration)', () => {
  it('stops cleanly on SIGINT sent to the npm process', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'callmask-npm-start-'))
    const npm = spawn('npm', ['start'], { env: { ...process.env, CALLMASK_DATA_DIR: dataDir, CALLMASK_INGEST_PORT: '0', CALLMASK_API_PORT: '0', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    npm.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    npm.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)))
    try {
      await eventually(() => stdout.includes('callmask is running.'), 60_000, `callmask to start (stderr: ${stderr})`)
      const callmaskPid = Number(readFileSync(join(dataDir, 'callmask.pid'), 'utf8'))
      const natsPid = Number(readFileSync(join(dataDir, 'nats-server.pid'), 'utf8'))
      expect(stdout).toContain(`kill -INT ${callmaskPid}`)
      expect(alive(natsPid)).toBe(true)

      npm.kill('SIGINT')
      expect(await exited).toBe(0)
      expect(stdout).toContain('callmask stopped. Every frame acknowledged to a client is stored in JetStream.')
      expect(alive(callmaskPid)).toBe(false)
      await eventually(() => !alive(natsPid), 10_000, 'the embedded nats-server to stop')
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL')
    }
  })
})

// The human-facing commands fail with a sentence and a non-zero exit, never a stack trace.
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx')

async function start(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  try {
    await run(tsx, ['bin/callmask.ts'], { env: { ...process.env, ...env }, timeout: 30_000 })
    return { code: 0, stderr: '' }
  } catch (error) {
    const e = error as { code: number; stderr: string }
    return { code: e.code, stderr: e.stderr }
  }
}

describe('npm start refuses a bad configuration with a sentence', () => {
  it('an invalid policy file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callmask-cli-'))
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ version: 1, call: { participantId: 'hash' }, event: {}, reports: {} }))
    const result = await start({ CALLMASK_POLICY_FILE: join(dir, 'policy.json'), CALLMASK_DATA_DIR: dir })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('/call/participantId must be equal to one of the allowed values')
    expect(result.stderr).not.toMatch(/\n\s+at /) // no stack trace
  })

  it('invalid environment variables, all named at once', async () => {
    const result = await start({ CALLMASK_INGEST_PORT: 'eighty', CALLMASK_RETENTION_DAYS: '0', CALLMASK_INGEST_KEYS: '{nope' })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('CALLMASK_INGEST_PORT')
    expect(result.stderr).toContain('CALLMASK_RETENTION_DAYS')
    expect(result.stderr).toContain('CALLMASK_INGEST_KEYS')
  })

  it('a data directory another running callmask owns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callmask-cli-'))
    writeFileSync(join(dir, 'callmask.pid'), `${process.pid}\n`)
    const result = await start({ CALLMASK_DATA_DIR: dir, CALLMASK_INGEST_PORT: '0' })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`Another callmask process (pid ${process.pid}) is using ${dir}`)
  })
})

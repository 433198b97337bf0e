// Regression: `npx callmask erase-subject dev Anna Schmidt` erased "Anna" (the extra word was
// dropped), and `export-subject ... --table t` without `--format csv` exported every table.
// Both are refused before the admin API is asked, so no callmask needs to run here.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { adminCommands, positionalCount, runAdminCli } from '../app/admin-cli/run-admin-cli.ts'
import { closedPort } from './support/closed-port.ts'

async function cli(args: string[], givenEnv?: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  // An API nothing listens on: a command that got as far as a request would fail differently.
  const env = givenEnv ?? { CALLMASK_API_URL: `http://127.0.0.1:${await closedPort()}`, CALLMASK_ADMIN_KEY: 'cmk_test_unused' }
  const code = await runAdminCli(args, env, { out: (l) => out.push(l), err: (l) => err.push(l), stdin: Readable.from([]), stdout: process.stdout })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('npx callmask refuses arguments it would otherwise ignore', () => {
  it('counts each command\'s arguments from its usage line', () => {
    const counts = Object.fromEntries(adminCommands.map((c) => [c.name, positionalCount(c.usage)]))
    expect(counts).toEqual({
      'erase-subject': 2,
      'export-subject': 2,
      'erase-tenant': 1,
      audit: 0,
      'keys-create': 0,
      'keys-list': 0,
      'keys-revoke': 1,
      'retention-show': 1,
      'retention-set': 1,
      inventory: 0,
      'privacy-notice': 0,
      'leak-scan': 1,
      duplicates: 1,
    })
  })

  it('an identifier with a space, not quoted: exit 2 with a sentence that does not repeat it', async () => {
    const result = await cli(['erase-subject', 'dev', 'Anna', 'Schmidt'])
    expect(result.code).toBe(2)
    expect(result.err).toBe('callmask erase-subject takes 2 arguments but got 3: put a value with spaces in quotes ("Anna Schmidt").\nUsage: npx callmask erase-subject <tenant> <identifier | ->')
    expect(result.out).toBe('')
  })

  it('a stray word after a command that takes none or one', async () => {
    expect(await cli(['inventory', 'dev'])).toMatchObject({ code: 2, err: expect.stringMatching(/^callmask inventory takes no arguments besides its options but got 1: /) })
    expect(await cli(['erase-tenant', 'dev', 'acme', '--yes'])).toMatchObject({ code: 2, err: expect.stringMatching(/^callmask erase-tenant takes 1 argument but got 2: /) })
  })

  it('a tenant that is missing or not a tenant name, the same sentence in every command', async () => {
    for (const command of ['erase-subject', 'erase-tenant', 'retention-show', 'leak-scan', 'duplicates']) {
      expect(await cli([command]), command).toMatchObject({ code: 1, err: `callmask ${command}: give the tenant (lower-case letters, digits, - and _)` })
      expect(await cli([command, 'Acme!']), command).toMatchObject({ code: 1, err: expect.stringContaining('"Acme!" is not a tenant name') })
    }
  })

  it('--table without --format csv', async () => {
    const result = await cli(['export-subject', 'dev', 'anna.schmidt@example.com', '--table', 'rtp_samples'])
    expect(result).toMatchObject({ code: 1, err: 'callmask export-subject: --table goes with --format csv (a JSON export holds every table)' })
  })

  // After a crash (SIGKILL) data/api.json still names the old API: say so, not only ECONNREFUSED.
  it('the files of a callmask that crashed: says they are stale and how to go on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callmask-cli-stale-'))
    writeFileSync(join(dir, 'api.json'), JSON.stringify({ url: `http://127.0.0.1:${await closedPort()}` }))
    writeFileSync(join(dir, 'admin.key'), 'cm_admin_stale\n')
    const result = await cli(['audit'], { CALLMASK_DATA_DIR: dir })
    expect(result.code).toBe(1)
    expect(result.err).toMatch(/^callmask audit: cannot reach the admin API at http:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED .* \(.*api\.json is left from a callmask that stopped without cleaning up: start it again with npm start\)$/)
  })
})

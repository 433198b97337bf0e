// Integration tests of `callmask-keys` against a real nats-server: the commands in-process,
// and the real entry point once through tsx for its exit codes.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNatsServer, type NatsServerHandle } from '../../lib/nats-server-launcher.ts'
import { runKeysCommand, type KeysCommandEnv } from '../../keyring/keys-command.ts'
import { closedPort } from '../support/closed-port.ts'

let server: NatsServerHandle
const masterKey = randomBytes(32).toString('base64')

async function run(args: string[], env: KeysCommandEnv = {}) {
  const out: string[] = []
  const err: string[] = []
  const code = await runKeysCommand(args, { NATS_URL: server.url, CALLMASK_MASTER_KEY: masterKey, ...env }, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  })
  return { code, out: out.join('\n'), err: err.join('\n') }
}


beforeAll(async () => {
  server = await startNatsServer()
})

afterAll(async () => {
  await server?.stop()
})

describe('callmask-keys (integration)', () => {
  it('lists an empty keyring without creating anything', async () => {
    expect(await run(['list'])).toEqual({ code: 0, out: 'The keyring bucket callmask_keyring does not exist yet: no tenant has a key.', err: '' })
    expect((await run(['destroy', 'acme', '--yes'])).out).toMatch(/has no keys .*nothing was destroyed/)
  })

  it('creates, rotates, lists and destroys, saying what it did', async () => {
    const first = await run(['create', 'acme'])
    expect(first).toMatchObject({ code: 0, err: '' })
    expect(first.out).toMatch(/^Created key version 1 of tenant acme \(sealed under master key [0-9a-f]{8}\)\./)
    expect((await run(['create', 'acme'])).out).toBe('Tenant acme already has key version 1; nothing was created (rotate adds a version).')
    expect((await run(['rotate', 'acme'])).out).toMatch(/^Rotated tenant acme: new pseudonyms use key version 2 .* Version 1 stays for look-ups/)
    expect((await run(['rotate', 'globex', '--create'])).out).toMatch(/^Rotated tenant globex: new pseudonyms use key version 1/)
    expect(await run(['list'])).toEqual({
      code: 0,
      out: ['acme: current key version 2; live versions 1, 2', 'globex: current key version 1; live versions 1'].join('\n'),
      err: '',
    })

    const refused = await run(['destroy', 'acme'])
    expect(refused.code).toBe(2)
    expect(refused.err).toBe('Refusing to destroy the keys of tenant acme without --yes: its existing pseudonyms would become unlinkable for good.')

    const destroyed = await run(['destroy', 'acme', '--yes'], { CALLMASK_MASTER_KEY: undefined })
    expect(destroyed.code).toBe(0)
    expect(destroyed.out).toMatch(/^Destroyed key versions 1, 2 of tenant acme \(1 stored revision overwritten; a tombstone without key material replaces the entry\)\. Its existing pseudonyms can no longer be linked/)
    expect(destroyed.out).toMatch(/wait in JetStream until it gets a fresh key \(npm run keys -- create acme: version 3 or above\)/)
    expect((await run(['list'])).out).toContain('acme: no live key; destroyed: 1, 2')
    expect((await run(['destroy', 'acme', '--yes'])).out).toBe('Tenant acme has no live keys; nothing was destroyed.')
    // The output never carries key material: only the master key id.
    expect(first.out).not.toContain(masterKey.slice(0, 10))
  })

  it('exits non-zero with a sentence on errors', async () => {
    // Regression: rotate on a mistyped tenant silently created a new one.
    const typo = await run(['rotate', 'acmee'])
    expect(typo.code).toBe(2)
    expect(typo.err).toBe('Tenant acmee has no key, so there is nothing to rotate (a typo would create a new tenant). To give it its first key: npm run keys -- create acmee (or rotate acmee --create).')
    expect((await run(['list'])).out).not.toContain('acmee')

    const noKey = await run(['rotate', 'acme'], { CALLMASK_MASTER_KEY: undefined })
    expect(noKey.code).toBe(1)
    expect(noKey.err).toMatch(/^No master key was given: set CALLMASK_MASTER_KEY/)

    const badKey = await run(['rotate', 'acme'], { CALLMASK_MASTER_KEY: 'abc' })
    expect(badKey).toMatchObject({ code: 1, err: expect.stringMatching(/^CALLMASK_MASTER_KEY is not a valid master key/) })

    const wrongKey = await run(['rotate', 'globex'], { CALLMASK_MASTER_KEY: randomBytes(32).toString('hex') })
    expect(wrongKey.code).toBe(1)
    expect(wrongKey.err).toMatch(/^The sealed key of tenant "globex" version 1 was sealed under master key [0-9a-f]{8}, but this process holds master key [0-9a-f]{8}/)
    expect((await run(['list'])).out).toContain('globex: current key version 1; live versions 1')

    const unreachable = await run(['list'], { NATS_URL: `nats://127.0.0.1:${await closedPort()}` })
    expect(unreachable.code).toBe(1)
    expect(unreachable.err).toMatch(/^cannot connect to NATS at nats:\/\/127\.0\.0\.1:\d+: connection refused\. /)

    const nowhere = mkdtempSync(join(tmpdir(), 'callmask-keys-empty-'))
    expect(await run(['list'], { NATS_URL: '', CALLMASK_DATA_DIR: nowhere })).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^NATS_URL is not set and no embedded callmask is running under .*callmask-keys-empty-/),
    })
    expect(await run(['rotate'])).toMatchObject({ code: 2, err: 'rotate needs a tenant id: npm run keys -- rotate <tenant>.' })
    // Regression: an extra word after list was reported as 'Unknown command "list"'.
    expect(await run(['list', 'acme'])).toMatchObject({ code: 2, err: 'list takes no tenant or other argument: npm run keys -- list.' })
    expect(await run(['shred', 'acme'])).toMatchObject({ code: 2, err: expect.stringMatching(/^Unknown command "shred"\.\nUsage/) })
    expect(await run(['list', '--yes'])).toMatchObject({ code: 2, err: expect.stringMatching(/^Unknown option --yes/) })
    expect(await run(['rotate', 'Not.A.Tenant'])).toMatchObject({ code: 1, err: expect.stringMatching(/is not a tenant id/) })
    expect(await run([])).toMatchObject({ code: 2, err: expect.stringMatching(/^Usage: npm run keys -- <command>/) })
  })

  it('runs as bin/callmask-keys.ts with the environment, reading the master key from a file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'callmask-keys-')), 'master.key')
    writeFileSync(file, masterKey + '\n')
    const env = { ...process.env, NATS_URL: server.url, CALLMASK_MASTER_KEY: '', CALLMASK_MASTER_KEY_FILE: file }
    const rotated = await runBin(['rotate', 'initech', '--create'], env)
    expect(rotated).toMatchObject({ code: 0, stderr: '' })
    expect(rotated.stdout).toMatch(/^Rotated tenant initech: new pseudonyms use key version 1/)
    const refused = await runBin(['destroy', 'initech'], env)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/^Refusing to destroy the keys of tenant initech without --yes/)
  })
})

function runBin(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const root = resolve(import.meta.dirname, '../..')
  const child = spawn(join(root, 'node_modules/.bin/tsx'), [join(root, 'bin/callmask-keys.ts'), ...args], { cwd: root, env })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolveRun) => child.on('close', (code) => resolveRun({ code, stdout: stdout.trim(), stderr: stderr.trim() })))
}

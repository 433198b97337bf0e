// Regression: callmask ran on Debian bookworm's nats-server 2.9.10, which loses work-queue
// deletes on an unclean stop. An older server is now refused with a sentence saying how to
// get 2.10; a server reached by NATS_URL is checked the same way after connecting.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { findNatsServerBinary, isSupportedNatsServerVersion, requireSupportedNatsServer } from '../lib/nats-server-binary.ts'

/** A stand-in binary that answers `--version` like nats-server does. */
function fakeServer(version: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'callmask-fake-nats-')), 'nats-server')
  writeFileSync(path, `#!/bin/sh\necho "nats-server: v${version}"\n`)
  chmodSync(path, 0o755)
  return path
}

describe('nats-server version', () => {
  it('accepts 2.10 and newer, refuses 2.9 and what is not a version', () => {
    expect(['2.10.0', 'v2.10.27', '2.11.3', '3.0.0-beta'].map(isSupportedNatsServerVersion)).toEqual([true, true, true, true])
    expect(['2.9.10', '2.2.0', '1.4.1', 'unknown', ''].map(isSupportedNatsServerVersion)).toEqual([false, false, false, false, false])
  })

  it('refuses an old binary named by NATS_SERVER_BIN, saying how to get a newer one', () => {
    const old = fakeServer('2.9.10')
    expect(() => findNatsServerBinary(undefined, { NATS_SERVER_BIN: old })).toThrow(
      `nats-server 2.9.10 at ${old} is too old: callmask needs 2.10 or newer (2.9 loses work-queue deletes on an unclean stop, so processed raw frames come back). Run \`bash scripts/install-nats-server.sh\``,
    )
    const current = fakeServer('2.10.27')
    expect(findNatsServerBinary(undefined, { NATS_SERVER_BIN: current })).toBe(current)
    expect(() => findNatsServerBinary(undefined, { NATS_SERVER_BIN: '/nonexistent/nats-server' })).toThrow(/NATS_SERVER_BIN is \/nonexistent\/nats-server, which does not exist/)
  })

  it('finds a supported server without NATS_SERVER_BIN (the project-local copy)', () => {
    const found = findNatsServerBinary(undefined, {})
    expect(found).toMatch(/nats-server$/)
  })

  it('refuses a server reached over NATS_URL that reports an old version', () => {
    expect(() => requireSupportedNatsServer('2.9.10', 'nats://nats:4222')).toThrow(/^nats-server 2\.9\.10 at nats:\/\/nats:4222 is too old/)
    expect(() => requireSupportedNatsServer('2.10.27', 'nats://nats:4222')).not.toThrow()
  })
})

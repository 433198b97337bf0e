// Every temporary file of a test run lives under one directory (TMPDIR is inherited by the
// test workers), removed when the run ends: chdb stores, nats-server stores, key files.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'callmask-tests-'))
  process.env['TMPDIR'] = root
  return () => rmSync(root, { recursive: true, force: true })
}

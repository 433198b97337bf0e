// lib/config.ts: ingest and the analyst API on one port is refused with a sentence naming both
// variables when one process serves both (role all); processes of their own may share a number.
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../lib/config.ts'
import { ConfigError } from '../lib/errors.ts'

describe('ingest and API ports', () => {
  it('refuses the same port for both in one process', () => {
    expect(() => loadConfig({ CALLMASK_INGEST_PORT: '8090' })).toThrow(ConfigError)
    expect(() => loadConfig({ CALLMASK_INGEST_PORT: '8090' })).toThrow(/CALLMASK_INGEST_PORT and CALLMASK_API_PORT are both 8090/)
  })

  it('takes it for processes of their own, and takes free ports (0) for both', () => {
    expect(loadConfig({ CALLMASK_INGEST_PORT: '8090', CALLMASK_ROLE: 'ingest' }).ingestPort).toBe(8090)
    expect(loadConfig({ CALLMASK_INGEST_PORT: '0', CALLMASK_API_PORT: '0' }).apiPort).toBe(0)
    expect(loadConfig({}).ingestPort).not.toBe(loadConfig({}).apiPort)
  })
})

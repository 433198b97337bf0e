// `callmask-keys`: list, rotate and destroy tenant keys from a shell. bin/callmask-keys.ts
// reads the environment and hands it here, so tests can run commands in-process. Output is
// plain sentences; a failure is one sentence on stderr and a non-zero exit code.
import { jetstreamManager } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/nats-core'
import { connect } from '@nats-io/transport-node'
import { CallmaskError } from '../../lib/errors.ts'
import { KeyringUnavailableError } from './keyring-errors.ts'
import { createKeyring, keyringBucket, openKeyringBucket, type TenantKeyringSummary } from './keyring.ts'
import { loadMasterKey } from './master-key.ts'

export interface KeysCommandEnv {
  NATS_URL?: string
  CALLMASK_MASTER_KEY?: string
  CALLMASK_MASTER_KEY_FILE?: string
}

export interface KeysCommandOutput {
  out(line: string): void
  err(line: string): void
}

export const keysUsage = [
  'Usage: callmask-keys <command>',
  '  list                     tenants with their current and live key versions (no key material)',
  '  rotate <tenant>          add a key version and make it current; older versions stay',
  '  destroy <tenant> --yes   crypto-shred every key of the tenant: its pseudonyms become unlinkable for good',
  'Environment: NATS_URL (required), CALLMASK_MASTER_KEY or CALLMASK_MASTER_KEY_FILE (required by rotate).',
].join('\n')

/** Seconds a running processor may keep using a cached key (keyring.ts cacheTtlMs default). */
const processorCacheSeconds = 5

class UsageError extends Error {}

/** Runs one command; resolves to the process exit code (0 done, 1 failed, 2 usage). */
export async function runKeysCommand(args: readonly string[], env: KeysCommandEnv, output: KeysCommandOutput): Promise<number> {
  let nc: NatsConnection | undefined
  try {
    const command = parseArgs(args)
    if (command.name === 'help') {
      output.out(keysUsage)
      return 0
    }
    // Before connecting: a missing master key should not wait on NATS.
    const masterKey = command.name === 'rotate' ? loadMasterKey({ env: env.CALLMASK_MASTER_KEY, file: env.CALLMASK_MASTER_KEY_FILE }) : undefined
    const url = env.NATS_URL?.trim()
    if (!url) throw new UsageError('NATS_URL is not set: point it at the nats-server your processors use, e.g. NATS_URL=nats://127.0.0.1:4222.')
    try {
      nc = await connect({ servers: url, reconnect: false, timeout: 5000, name: 'callmask-keys' })
    } catch (error) {
      throw new KeyringUnavailableError(`Could not reach NATS at ${url}: ${(error as Error).message}.`, { cause: error })
    }
    const jsm = await jetstreamManager(nc)
    const bucketExists = await jsm.streams.info(`KV_${keyringBucket}`).then(
      () => true,
      () => false,
    )

    if (command.name === 'list') {
      if (!bucketExists) {
        output.out(`The keyring bucket ${keyringBucket} does not exist yet: no tenant has a key.`)
        return 0
      }
      const keyring = createKeyring({ kv: await new Kvm(nc).open(keyringBucket) })
      const tenants = await keyring.list()
      if (tenants.length === 0) output.out('The keyring holds no tenants yet.')
      for (const summary of tenants) output.out(describe(summary))
      return 0
    }

    if (command.name === 'rotate') {
      const keyring = createKeyring({ kv: await openKeyringBucket(nc), masterKey })
      const before = (await keyring.list()).find((s) => s.tenant === command.tenant)
      const version = await keyring.rotate(command.tenant)
      const kept = before?.versions ?? []
      output.out(
        `Rotated tenant ${command.tenant}: new pseudonyms use key version ${version} (sealed under master key ${masterKey?.id}).` +
          (kept.length > 0 ? ` Versions ${kept.join(', ')} stay for look-ups.` : '') +
          ` Running processors switch within ${processorCacheSeconds} seconds.`,
      )
      return 0
    }

    if (!command.yes) {
      throw new UsageError(
        `Refusing to destroy the keys of tenant ${command.tenant} without --yes: its existing pseudonyms would become unlinkable for good.`,
      )
    }
    if (!bucketExists) {
      output.out(`Tenant ${command.tenant} has no keys (the keyring bucket ${keyringBucket} does not exist yet); nothing was destroyed.`)
      return 0
    }
    const keyring = createKeyring({ kv: await new Kvm(nc).open(keyringBucket), jsm })
    const result = await keyring.destroy(command.tenant)
    if (result.versions.length === 0) {
      output.out(`Tenant ${command.tenant} has no live keys; nothing was destroyed.`)
      return 0
    }
    const next = Math.max(...result.versions) + 1
    output.out(
      `Destroyed key version${result.versions.length > 1 ? 's' : ''} ${result.versions.join(', ')} of tenant ${command.tenant}` +
        ` (${result.erased} stored revision${result.erased === 1 ? '' : 's'} overwritten, entry purged).` +
        ' Its existing pseudonyms can no longer be linked to any identifier.' +
        ` Data that arrives later gets a fresh key, version ${next} or above; running processors may use their cached key for up to ${processorCacheSeconds} seconds.`,
    )
    return 0
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(error.message)
      return 2
    }
    output.err(error instanceof CallmaskError ? error.message : `callmask-keys failed: ${(error as Error).message}`)
    return 1
  } finally {
    await nc?.drain().catch(() => nc?.close())
  }
}

type Command = { name: 'help' } | { name: 'list' } | { name: 'rotate'; tenant: string } | { name: 'destroy'; tenant: string; yes: boolean }

function parseArgs(args: readonly string[]): Command {
  const flags = args.filter((a) => a.startsWith('-'))
  const words = args.filter((a) => !a.startsWith('-'))
  const [name, tenant, ...extra] = words
  if (flags.includes('--help') || flags.includes('-h') || name === 'help') return { name: 'help' }
  const unknownFlags = flags.filter((f) => !(name === 'destroy' && f === '--yes'))
  if (unknownFlags.length > 0) throw new UsageError(`Unknown option ${unknownFlags.join(', ')}.\n${keysUsage}`)
  if (extra.length > 0) throw new UsageError(`Unexpected argument ${extra.join(' ')}.\n${keysUsage}`)
  if (name === 'list' && tenant === undefined) return { name }
  if ((name === 'rotate' || name === 'destroy') && tenant !== undefined) {
    return name === 'rotate' ? { name, tenant } : { name, tenant, yes: flags.includes('--yes') }
  }
  if (name === 'rotate' || name === 'destroy') throw new UsageError(`${name} needs a tenant id: callmask-keys ${name} <tenant>.`)
  throw new UsageError(name === undefined ? keysUsage : `Unknown command "${name}".\n${keysUsage}`)
}

function describe({ tenant, current, versions, destroyed, problem }: TenantKeyringSummary): string {
  if (problem) return `${tenant}: unreadable entry (${problem}); \`destroy ${tenant} --yes\` removes it`
  const gone = destroyed.length > 0 ? `; destroyed: ${destroyed.join(', ')}` : ''
  if (current === null) return `${tenant}: no live key${gone}`
  return `${tenant}: current key version ${current}; live versions ${versions.join(', ')}${gone}`
}

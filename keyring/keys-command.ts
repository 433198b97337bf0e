// `callmask-keys`: the admin's commands: set up JetStream, list, create, rotate and destroy tenant keys. bin/callmask-keys.ts
// reads the environment and hands it here, so tests can run commands in-process. Output is
// plain sentences; a failure is one sentence on stderr and a non-zero exit code.
import { accessKeysBucket, openAccessKeysBucket } from '../lib/access-key-store.ts'
import { openTenantSettingsForWriting, tenantSettingsBucket } from '../lib/tenant-settings.ts'
import { jetstreamManager } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/nats-core'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { CallmaskError } from '../lib/errors.ts'
import {
  deadLetterStream,
  ensureProcessorConsumer,
  ensureStreams,
  framesStream,
  processorConsumer,
  type ConsumerOptions,
  type StreamOptions,
} from '../lib/jetstream-streams.ts'
import { connectNats, readEmbeddedNats } from '../lib/nats-connection.ts'
import type { NatsUser } from '../lib/nats-credentials.ts'
import { createKeyring, keyringBucket, openKeyringBucket, type TenantKeyringSummary } from './keyring.ts'
import { checkTenant } from './keyring-store.ts'
import { loadMasterKey } from './master-key.ts'

export interface KeysCommandEnv {
  NATS_URL?: string
  NATS_USER?: string
  NATS_PASSWORD?: string
  /** The CA of a TLS nats-server's certificate (a private CA). */
  CALLMASK_NATS_CA_FILE?: string
  CALLMASK_MASTER_KEY?: string
  CALLMASK_MASTER_KEY_FILE?: string
  /** Where an embedded callmask keeps nats.json and master.key. @default "./data" */
  CALLMASK_DATA_DIR?: string
}

export interface KeysCommandOutput {
  out(line: string): void
  err(line: string): void
}

export const keysUsage = [
  'Usage: npm run keys -- <command>   (docker-compose: docker-compose run --rm keys <command>)',
  '  init                     create the JetStream streams and the processors\' consumer (once, as admin; embedded mode does it itself)',
  '  list                     tenants with their current and live key versions (no key material)',
  '  create <tenant>          give a new tenant its first key (processors may only read the keyring)',
  '  rotate <tenant>          add a key version and make it current; older versions stay (--create: also for a tenant without a key)',
  '  destroy <tenant> --yes   crypto-shred every key of the tenant: its pseudonyms become unlinkable for good',
  'Environment: NATS_URL with NATS_USER/NATS_PASSWORD of the admin user; unset, the embedded callmask under',
  'CALLMASK_DATA_DIR (default ./data) is used with its admin credentials and master key.',
  'CALLMASK_MASTER_KEY or CALLMASK_MASTER_KEY_FILE: the master key (needed by create and rotate).',
].join('\n')

/** Seconds a running processor may keep using a cached key (keyring.ts cacheTtlMs default). */
const processorCacheSeconds = 5

class UsageError extends Error {}

/** What `init` sets up; bin/callmask-keys.ts derives it from the same configuration as the processors. */
export interface JetStreamSettings {
  streams: StreamOptions
  consumer: ConsumerOptions
}
const defaultJetStreamSettings: JetStreamSettings = { streams: { duplicateWindowS: 900, maxAgeH: 168 }, consumer: { ackWaitS: 30, maxAckPending: 40_000 } }

/** Runs one command; resolves to the process exit code (0 done, 1 failed, 2 usage). */
export async function runKeysCommand(
  args: readonly string[],
  env: KeysCommandEnv,
  output: KeysCommandOutput,
  jetStreamSettings: JetStreamSettings = defaultJetStreamSettings,
): Promise<number> {
  let nc: NatsConnection | undefined
  try {
    const command = parseArgs(args)
    if (command.name === 'help') {
      output.out(keysUsage)
      return 0
    }
    const dataDir = env.CALLMASK_DATA_DIR?.trim() || './data'
    let url = env.NATS_URL?.trim()
    let user: NatsUser | undefined = env.NATS_USER ? { user: env.NATS_USER, password: env.NATS_PASSWORD ?? '' } : undefined
    let embeddedMasterKey: string | undefined
    if (!url) {
      // The embedded callmask wrote where its nats-server listens and its admin credentials.
      const embedded = readEmbeddedNats(dataDir)
      if (!embedded) {
        throw new UsageError(
          `NATS_URL is not set and no embedded callmask is running under ${dataDir} (no ${join(dataDir, 'nats.json')}). Start callmask (npm start), set CALLMASK_DATA_DIR to its data directory, or set NATS_URL (with NATS_USER and NATS_PASSWORD of the admin user).`,
        )
      }
      url = embedded.url
      user = embedded.admin
      if (existsSync(join(dataDir, 'master.key'))) embeddedMasterKey = join(dataDir, 'master.key')
    }
    // Before connecting: a missing master key should not wait on NATS.
    const needsMasterKey = command.name === 'rotate' || command.name === 'create'
    const masterKey = needsMasterKey
      ? loadMasterKey(env.CALLMASK_MASTER_KEY || env.CALLMASK_MASTER_KEY_FILE ? { env: env.CALLMASK_MASTER_KEY, file: env.CALLMASK_MASTER_KEY_FILE } : { file: embeddedMasterKey })
      : undefined
    nc = await connectNats(url, 'admin', user, { reconnect: false, caFile: env.CALLMASK_NATS_CA_FILE })
    const jsm = await jetstreamManager(nc)

    if (command.name === 'init') {
      await ensureStreams(nc, jetStreamSettings.streams)
      await ensureProcessorConsumer(nc, jetStreamSettings.consumer)
      const replicas = jetStreamSettings.streams.replicas ?? 1
      await openAccessKeysBucket(nc, replicas)
      await openKeyringBucket(nc, replicas)
      await openTenantSettingsForWriting(nc, replicas)
      output.out(
        `JetStream is set up at ${url}: streams ${framesStream} and ${deadLetterStream}, consumer ${processorConsumer} (ack wait ${jetStreamSettings.consumer.ackWaitS} s), buckets ${accessKeysBucket} for people's keys, ${keyringBucket} and ${tenantSettingsBucket}, ${replicas === 1 ? 'one copy each' : `${replicas} copies each`}. Processors can consume now.`,
      )
      return 0
    }
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

    checkTenant(command.tenant)
    if (command.name === 'create') {
      const keyring = createKeyring({ kv: await openKeyringBucket(nc), masterKey })
      const before = (await keyring.list()).find((s) => s.tenant === command.tenant)
      if (before?.current) {
        output.out(`Tenant ${command.tenant} already has key version ${before.current}; nothing was created (rotate adds a version).`)
        return 0
      }
      const { version } = await keyring.currentKey(command.tenant)
      output.out(`Created key version ${version} of tenant ${command.tenant} (sealed under master key ${masterKey?.id}). Processors pseudonymise its frames from now on; frames that waited are processed within seconds.`)
      return 0
    }

    if (command.name === 'rotate') {
      const keyring = createKeyring({ kv: await openKeyringBucket(nc), masterKey })
      const before = (await keyring.list()).find((s) => s.tenant === command.tenant)
      if (!before?.current && !command.create) {
        throw new UsageError(
          `Tenant ${command.tenant} has no key, so there is nothing to rotate (a typo would create a new tenant). To give it its first key: npm run keys -- create ${command.tenant} (or rotate ${command.tenant} --create).`,
        )
      }
      const version = await keyring.rotate(command.tenant)
      const kept = before?.versions ?? []
      output.out(
        `Rotated tenant ${command.tenant}: new pseudonyms use key version ${version} (sealed under master key ${masterKey?.id}).` +
          (kept.length > 0 ? ` ${kept.length === 1 ? 'Version' : 'Versions'} ${kept.join(', ')} ${kept.length === 1 ? 'stays' : 'stay'} for look-ups.` : '') +
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
        ` (${result.erased} stored revision${result.erased === 1 ? '' : 's'} overwritten; a tombstone without key material replaces the entry).` +
        ' Its existing pseudonyms can no longer be linked to any identifier.' +
        ` New frames of this tenant wait in JetStream until it gets a fresh key (npm run keys -- create ${command.tenant}: version ${next} or above); running processors may use their cached key for up to ${processorCacheSeconds} seconds.`,
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

type Command =
  | { name: 'help' }
  | { name: 'init' }
  | { name: 'list' }
  | { name: 'create'; tenant: string }
  | { name: 'rotate'; tenant: string; create: boolean }
  | { name: 'destroy'; tenant: string; yes: boolean }

function parseArgs(args: readonly string[]): Command {
  const flags = args.filter((a) => a.startsWith('-'))
  const words = args.filter((a) => !a.startsWith('-'))
  const [name, tenant, ...extra] = words
  if (flags.includes('--help') || flags.includes('-h') || name === 'help') return { name: 'help' }
  const unknownFlags = flags.filter((f) => !(name === 'destroy' && f === '--yes') && !(name === 'rotate' && f === '--create'))
  if (unknownFlags.length > 0) throw new UsageError(`Unknown option ${unknownFlags.join(', ')}.\n${keysUsage}`)
  if (extra.length > 0) throw new UsageError(`Unexpected argument ${extra.join(' ')}.\n${keysUsage}`)
  if (name === 'list' || name === 'init') {
    if (tenant !== undefined) throw new UsageError(`${name} takes no tenant or other argument: npm run keys -- ${name}.`)
    return { name }
  }
  if ((name === 'create' || name === 'rotate' || name === 'destroy') && tenant !== undefined) {
    if (name === 'create') return { name, tenant }
    return name === 'rotate' ? { name, tenant, create: flags.includes('--create') } : { name, tenant, yes: flags.includes('--yes') }
  }
  if (name === 'create' || name === 'rotate' || name === 'destroy') throw new UsageError(`${name} needs a tenant id: npm run keys -- ${name} <tenant>.`)
  throw new UsageError(name === undefined ? keysUsage : `Unknown command "${name}".\n${keysUsage}`)
}

function describe({ tenant, current, versions, destroyed, problem }: TenantKeyringSummary): string {
  if (problem) return `${tenant}: unreadable entry (${problem}); \`destroy ${tenant} --yes\` removes it`
  const gone = destroyed.length > 0 ? `; destroyed: ${destroyed.join(', ')}` : ''
  if (current === null) return `${tenant}: no live key${gone}`
  return `${tenant}: current key version ${current}; live versions ${versions.join(', ')}${gone}`
}

// Connecting a callmask process to NATS as one role: its user, its own inbox prefix (see
// nats-credentials.ts), and a server checked to be >= 2.10. Failures are sentences that
// name NATS and the URL. Also where embedded mode keeps its NATS files under the data
// directory, so the keys command finds the running server and its admin credentials.
import type { NatsConnection } from '@nats-io/nats-core'
import { connect } from '@nats-io/transport-node'
import { existsSync, readFileSync } from 'node:fs'
import { runningNatsServer } from './data-dir-lock.ts'
import { checkPrivateFile } from './private-files.ts'
import { join } from 'node:path'
import { CallmaskError } from './errors.ts'
import { requireSupportedNatsServer } from './nats-server-binary.ts'
import { inboxPrefixOf, natsRoles, type NatsCredentials, type NatsRole, type NatsUser } from './nats-credentials.ts'

export type { NatsCredentials }

/** NATS could not be reached, or refused us: the message says which and where. */
export class NatsUnavailableError extends CallmaskError {
  override name = 'NatsUnavailableError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('CALLMASK_ERR_NATS', message, options)
  }
}

/** NATS refused a publish or subscription for this user (its permissions). */
export function isPermissionViolation(error: unknown): boolean {
  return error instanceof Error && /permissions violation/i.test(error.message)
}

export interface ConnectNatsOptions {
  /** Keep reconnecting forever (services) or fail at once (commands). @default true */
  reconnect?: boolean
  /** CALLMASK_NATS_CA_FILE: the CA (PEM) that signed the server's TLS certificate. @default the system's CAs */
  caFile?: string
}

export async function connectNats(url: string, role: NatsRole, user?: NatsUser, options: ConnectNatsOptions = {}): Promise<NatsConnection> {
  const reconnect = options.reconnect ?? true
  if (options.caFile !== undefined && !existsSync(options.caFile)) {
    throw new NatsUnavailableError(`The NATS CA file ${options.caFile} (CALLMASK_NATS_CA_FILE) does not exist.`)
  }
  let nc: NatsConnection
  try {
    nc = await connect({
      // NATS_URL may list every node of a cluster, comma-separated.
      servers: url.split(','),
      name: `callmask-${role}`,
      inboxPrefix: inboxPrefixOf(role),
      ...(user ? { user: user.user, pass: user.password } : {}),
      ...(reconnect ? { maxReconnectAttempts: -1, reconnectTimeWait: 250 } : { reconnect: false }),
      timeout: 5000,
      // A server with a tls block is met with TLS whatever the URL's scheme; the CA is
      // needed only when its certificate is not signed by one the system trusts.
      ...(options.caFile !== undefined ? { tls: { caFile: options.caFile } } : {}),
    })
  } catch (error) {
    throw new NatsUnavailableError(describeConnectFailure(url, role, user, error), { cause: error })
  }
  const version = nc.info?.version ?? 'unknown'
  try {
    requireSupportedNatsServer(version, url)
  } catch (error) {
    await nc.close()
    throw error
  }
  return nc
}

function describeConnectFailure(url: string, role: NatsRole, user: NatsUser | undefined, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error)
  if (/authorization|authentication/i.test(reason)) {
    return user
      ? `NATS at ${url} refused the credentials of user "${user.user}" (role ${role}). Check NATS_USER/NATS_PASSWORD or NATS_CREDENTIALS_FILE.`
      : `NATS at ${url} requires credentials: set NATS_USER and NATS_PASSWORD (or NATS_CREDENTIALS_FILE) for role ${role}.`
  }
  if (/does not support 'tls'/.test(reason)) {
    return `NATS at ${url} offers no TLS, but CALLMASK_NATS_CA_FILE asks for it: give nats-server a tls block (README "TLS for NATS"), or unset CALLMASK_NATS_CA_FILE.`
  }
  if (/certificate/i.test(reason)) {
    return `cannot connect to NATS at ${url}: its TLS certificate is not trusted (${reason}). If a private CA signed it, set CALLMASK_NATS_CA_FILE to that CA's PEM file.`
  }
  const why = /ECONNREFUSED|connection refused/i.test(reason) ? 'connection refused' : reason
  return `cannot connect to NATS at ${url}: ${why}. Start nats-server (>= 2.10, with JetStream) there, or unset NATS_URL to let callmask run its own.`
}

/** The files embedded mode keeps beside its NATS store. */
export function embeddedNatsFiles(dataDir: string) {
  return {
    /** {url, credentialsFile} of the running embedded server. */
    connection: join(dataDir, 'nats.json'),
    /** Generated users and passwords, mode 0600. */
    credentials: join(dataDir, 'nats-credentials.json'),
    pid: join(dataDir, 'nats-server.pid'),
    log: join(dataDir, 'nats-server.log'),
    /** The server's config (with this run's passwords) and ports file. */
    run: join(dataDir, 'nats-run'),
  }
}

/** Reads a credentials file ({role: {user, password}}), which must be private to this user. */
export function loadNatsCredentials(file: string): Partial<NatsCredentials> {
  if (!existsSync(file)) throw new NatsUnavailableError(`The NATS credentials file ${file} does not exist.`)
  checkPrivateFile(file, 'NATS credentials file')
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new NatsUnavailableError(`The NATS credentials file ${file} is not JSON: ${(error as Error).message}.`)
  }
  const credentials = parsed as Partial<Record<NatsRole, Partial<NatsUser>>>
  for (const role of natsRoles) {
    const entry = credentials[role]
    if (entry !== undefined && (typeof entry.user !== 'string' || typeof entry.password !== 'string')) {
      throw new NatsUnavailableError(`The NATS credentials file ${file} has no valid "${role}" entry: it needs {"user": "...", "password": "..."}.`)
    }
  }
  return credentials as Partial<NatsCredentials>
}

/**
 * The URL and admin user of the embedded server running on `dataDir`: undefined when none
 * ran there, an error when it is not running now. The recorded nats-server must still run,
 * or whoever binds its old port next would be sent the admin password.
 */
export function readEmbeddedNats(dataDir: string): { url: string; admin?: NatsUser } | undefined {
  const files = embeddedNatsFiles(dataDir)
  if (!existsSync(files.connection)) return undefined
  if (runningNatsServer(files.pid) === undefined) {
    throw new NatsUnavailableError(`The embedded callmask under ${dataDir} is not running (its nats-server is gone). Start it with npm start, or set NATS_URL.`)
  }
  checkPrivateFile(files.connection, 'NATS connection file')
  const { url, credentialsFile } = JSON.parse(readFileSync(files.connection, 'utf8')) as { url: string; credentialsFile: string }
  if (!existsSync(credentialsFile)) return { url }
  checkPrivateFile(credentialsFile, 'NATS credentials file')
  return { url, admin: loadNatsCredentials(credentialsFile).admin }
}

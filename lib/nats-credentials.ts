// NATS users and their least privileges. Raw frames in JetStream hold personal data in
// clear and the keyring holds the sealed tenant keys, so no process gets more than it needs:
// - ingest publishes frames and reads its PubAcks; it cannot read the stream or the keyring;
//   it reads the people's keys bucket (hashes only) with direct gets and a subscription;
// - api (role api, the analyst API alone) reads entries of the people's keys bucket, nothing else;
// - the processor consumes the frames stream as the `processor` consumer, acks, purges what
//   it processed, publishes dead letters, reads the keyring and the tenant settings (run-time
//   retention); it cannot create or change streams or consumers, nor write either bucket;
// - admin (embedded start-up, the keys command, operators) may do everything: it sets up the
//   streams and the consumer and writes the keyring, the people's keys and the tenant settings.
// Each user's inbox has its own prefix, so no user can subscribe to another's replies (a
// processor's pull deliveries are raw frames). Embedded mode generates the passwords; a
// production server renders the same block with `$VARIABLE` references (deploy/nats.conf).
import { randomBytes } from 'node:crypto'
import { accessKeysStream, accessKeysSubjects } from './access-key-store.ts'
import { deadLetterStream, framesStream, processorConsumer, sessionClaimsSubject } from './jetstream-streams.ts'
import { tenantSettingsStream } from './tenant-settings.ts'

export const natsRoles = ['ingest', 'processor', 'api', 'admin'] as const
export type NatsRole = (typeof natsRoles)[number]

export interface NatsUser {
  user: string
  password: string
}
export type NatsCredentials = Record<NatsRole, NatsUser>

const keyringStream = 'KV_callmask_keyring'

/** The `inboxPrefix` each role connects with; its subscribe permission allows only that. */
export const inboxPrefixOf = (role: NatsRole): string => `_INBOX_callmask_${role}`

interface Permissions {
  publish: string[]
  subscribe: string[]
}

const api = '$JS.API'
// The people's keys: read one entry by direct get (`last_by_subj`, in the subject)...
const readAccessKey = `${api}.DIRECT.GET.${accessKeysStream}.>`
// ...and walk them all (a request body with `next_by_subj`), which only ingest's cache does.
const scanAccessKeys = `${api}.DIRECT.GET.${accessKeysStream}`
const permissionsOf: Record<Exclude<NatsRole, 'admin'>, Permissions> = {
  ingest: {
    // ...and hear of every change on the entries' own subjects. No STREAM.INFO, no consumer, no write.
    // Session claims between ingest processes (ingest/session-registry.ts): core NATS, never stored.
    publish: ['callmask.frames.*', sessionClaimsSubject, readAccessKey, scanAccessKeys],
    subscribe: [`${inboxPrefixOf('ingest')}.>`, accessKeysSubjects, sessionClaimsSubject],
  },
  api: {
    publish: [readAccessKey],
    // Checked per request (a revocation counts on the next one): no subscription needed.
    subscribe: [`${inboxPrefixOf('api')}.>`],
  },
  processor: {
    publish: [
      `${api}.INFO`,
      // Read the streams and the consumer; creating or changing them is admin's (a stream
      // update could add a republish rule that copies frames into the keyring's subjects).
      ...[framesStream, deadLetterStream].map((s) => `${api}.STREAM.INFO.${s}`),
      // The janitor purges frames at or below the consumer's ack floor.
      `${api}.STREAM.PURGE.${framesStream}`,
      `${api}.CONSUMER.INFO.${framesStream}.${processorConsumer}`,
      `${api}.CONSUMER.MSG.NEXT.${framesStream}.${processorConsumer}`,
      `$JS.ACK.${framesStream}.${processorConsumer}.>`,
      'callmask.dlq.*',
      // Live issues for apps (core NATS, after storage).
      'callmask.issues.*',
      // Keyring: read only.
      `${api}.STREAM.INFO.${keyringStream}`,
      `${api}.STREAM.MSG.GET.${keyringStream}`,
      `${api}.DIRECT.GET.${keyringStream}`,
      `${api}.DIRECT.GET.${keyringStream}.>`,
      // Tenant settings (retention set at run time): read only, one entry at a time.
      `${api}.STREAM.INFO.${tenantSettingsStream}`,
      `${api}.STREAM.MSG.GET.${tenantSettingsStream}`,
      `${api}.DIRECT.GET.${tenantSettingsStream}`,
      `${api}.DIRECT.GET.${tenantSettingsStream}.>`,
    ],
    subscribe: [`${inboxPrefixOf('processor')}.>`],
  },
}

export function generateNatsCredentials(): NatsCredentials {
  const user = (role: NatsRole): NatsUser => ({ user: `callmask-${role}`, password: randomBytes(24).toString('base64url') })
  return { ingest: user('ingest'), processor: user('processor'), api: user('api'), admin: user('admin') }
}

/**
 * The `authorization` block of a nats-server config. With `passwordsFrom: 'environment'`
 * the passwords are `$CALLMASK_NATS_<ROLE>_PASSWORD` references that nats-server resolves
 * from its environment (docker-compose); otherwise the given passwords, quoted.
 */
export function natsAuthorizationBlock(credentials: NatsCredentials | 'environment'): string {
  const lines = ['authorization {', '  users = [']
  for (const role of natsRoles) {
    const user = credentials === 'environment' ? `callmask-${role}` : credentials[role].user
    const password = credentials === 'environment' ? `$${passwordVariable(role)}` : JSON.stringify(credentials[role].password)
    lines.push(`    { user: ${JSON.stringify(user)}, password: ${password}${role === 'admin' ? '' : `, permissions: ${permissionsText(permissionsOf[role])}`} }`)
  }
  lines.push('  ]', '}')
  return lines.join('\n')
}

/** The environment variable docker-compose passes a role's password in. */
export const passwordVariable = (role: NatsRole): string => `CALLMASK_NATS_${role.toUpperCase()}_PASSWORD`

function permissionsText(p: Permissions): string {
  const list = (subjects: string[]) => `[${subjects.map((s) => JSON.stringify(s)).join(', ')}]`
  return `{ publish: { allow: ${list(p.publish)} }, subscribe: { allow: ${list(p.subscribe)} } }`
}

// `callmask keys-create | keys-list | keys-revoke`: people's ingest, analyst and admin keys
// (README "Keys for people"). Not the tenant keyring, which `npm run keys` manages.
import { CliError, expectOk } from './admin-api-client.ts'
import type { CliCommand } from './cli-command.ts'

interface KeyInfo {
  id: string
  role: string
  tenant?: string
  label?: string
  status?: string
  expiresAt?: string
  revokedAt?: string
  source?: string
}

export const keyCommands: CliCommand[] = [
  {
    name: 'keys-create',
    usage: 'keys-create --role ingest|analyst|admin [--tenant <t>] [--origin <o>]... [--require-origin] [--expires <ISO time>] [--label <text>]',
    summary: 'Create a key for a person or an SDK; printed once, stored only as a hash',
    options: { role: { type: 'string' }, tenant: { type: 'string' }, origin: { type: 'string', multiple: true }, 'require-origin': { type: 'boolean', default: false }, expires: { type: 'string' }, label: { type: 'string' } },
    async run({ values, api, io }) {
      if (!values['role']) throw new CliError('give --role ingest, analyst or admin')
      const body: Record<string, unknown> = { role: values['role'] }
      if (values['tenant']) body['tenant'] = values['tenant']
      const origins = values['origin'] as unknown as string[] | undefined
      if (origins?.length) body['origins'] = origins
      if (values['require-origin']) body['requireOrigin'] = true
      if (values['expires']) body['expiresAt'] = values['expires']
      if (values['label']) body['label'] = values['label']
      const created = await expectOk<KeyInfo & { key: string }>(await api.request('POST', '/v1/admin/keys', body))
      io.out(`Created ${created.role} key ${created.id}${created.tenant ? ` for tenant ${created.tenant}` : ''}. The key, shown only now:`)
      io.out(`  ${created.key}`)
      return 0
    },
  },
  {
    name: 'keys-list',
    usage: 'keys-list [--tenant <t>] [--role <role>] [--status active|revoked|expired] [--json]',
    summary: 'List the keys (never the keys themselves)',
    options: { tenant: { type: 'string' }, role: { type: 'string' }, status: { type: 'string' }, json: { type: 'boolean', default: false } },
    async run({ values, api, io }) {
      const query = new URLSearchParams()
      for (const name of ['tenant', 'role', 'status']) if (values[name]) query.set(name, values[name] as string)
      const { keys } = await expectOk<{ keys: KeyInfo[] }>(await api.request('GET', `/v1/admin/keys?${query}`))
      if (values['json']) {
        io.out(JSON.stringify(keys, null, 2))
        return 0
      }
      io.out(`${keys.length} key(s):`)
      for (const k of keys) io.out(`  ${k.id}  ${k.role}  tenant=${k.tenant ?? '-'}  ${k.status ?? ''}${k.source ? `  (${k.source})` : ''}${k.label ? `  "${k.label}"` : ''}${k.expiresAt ? `  expires ${k.expiresAt}` : ''}`)
      return 0
    },
  },
  {
    name: 'keys-revoke',
    usage: 'keys-revoke <key id>',
    summary: 'Revoke a key: open sessions with it are closed within seconds, the API refuses it',
    async run({ positionals, api, io }) {
      const id = positionals[0]
      if (!id || !/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new CliError('give the id of the key to revoke (keys-list shows them)')
      const result = await expectOk<{ alreadyRevoked?: boolean; revokedAt?: string }>(await api.request('DELETE', `/v1/admin/keys/${id}`))
      io.out(result.alreadyRevoked ? `Key ${id} was already revoked (${result.revokedAt}).` : `Revoked key ${id}; sessions using it are being closed.`)
      return 0
    },
  },
]

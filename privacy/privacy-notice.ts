// The privacy notice an operator can put into its EULA or privacy statement, written from
// the running configuration and policy (so a changed policy or retention changes it): who
// is responsible, what is collected and what happens to each field, purposes and legal
// basis, how long, where, processors and sub-processors, and the data subject's rights and
// how to exercise them. What is not configured is said as such, in brackets, to be filled in.
import type { FieldAction } from '../schemas/policy-schema.ts'
import { framesStream } from '../lib/jetstream-streams.ts'
import type { Actor, AdminContext } from './admin-context.ts'
import { audited } from './audited-operation.ts'
import { configuredRetention, type TenantRetention } from './configured-retention.ts'
import { allowListRule, droppedAtIngest, policyFields } from './dropped-fields.ts'
import { knownTenants } from './inventory.ts'
import { renderHtml, renderMarkdown, type NoticeDocument, type Section } from './notice-render.ts'

export type NoticeFormat = 'markdown' | 'html'

const treatment: Record<FieldAction, string> = {
  pseudonymise: 'replaced by a pseudonym (a keyed hash under a key of its own per customer); phone numbers and e-mail addresses are first brought into one canonical form',
  detect: 'scanned for phone numbers, e-mail and SIP addresses, IP addresses and names; each one found is replaced by its pseudonym, the rest is kept',
  'truncate-ip': 'IP addresses are cut to their network (the first three parts of an IPv4 address, the first 48 bits of an IPv6 address)',
  keep: 'stored as sent',
  drop: 'not stored',
}

const callFieldMeaning: Record<string, string> = {
  participantId: 'your user id in the service (often a phone number or an e-mail address)',
  displayName: 'the name shown for you in the call',
  conferenceId: 'the meeting or room',
  callId: 'the call',
  peerConnectionId: "your device's connection in the call",
}

const missing = (key: string, what: string) => `[${what}: not configured; the operator sets ${key}]`

function retentionRows(tenants: TenantRetention[]): string[][] {
  return tenants.map((t) => [t.tenant, `${t.rawDays} days`, `${t.aggregateDays} days`])
}

export async function noticeDocument(admin: AdminContext, options: { tenant?: string } = {}): Promise<NoticeDocument> {
  const { config, policy } = admin
  const tenants = options.tenant !== undefined ? [options.tenant] : [...knownTenants(admin, [])]
  const retention = await Promise.all(tenants.map((t) => configuredRetention(admin, t)))
  const dropped = droppedAtIngest(policy)
  const fields = policyFields(policy)
  const identifiers = [...policy.call].map(([field, action]) => [field, callFieldMeaning[field] ?? field, treatment[action]])
  identifiers.push(['session id', "the app's id for its connection to the service", treatment.pseudonymise])
  identifiers.push(['network addresses (ICE candidates)', "your device's and the server's IP addresses", treatment['truncate-ip']])
  const kept = fields.filter((f) => f.where !== 'call' && f.where !== 'event').reduce((n, f) => n + f.rules.filter(([, a]) => a === 'keep').length, 0)
  const processors = config.subprocessors ?? []

  const sections: Section[] = [
    {
      title: 'Who is responsible',
      blocks: [
        { kind: 'paragraph', text: `Controller: ${config.controller ?? missing('CALLMASK_CONTROLLER', 'the controller')}` },
        { kind: 'paragraph', text: `Data protection officer: ${config.dpoContact ?? missing('CALLMASK_DPO_CONTACT', "the data protection officer's contact")}` },
      ],
    },
    {
      title: 'What is collected and what happens to it',
      blocks: [
        {
          kind: 'paragraph',
          text: "While you are in a call, the app sends technical measurements from your browser's or device's WebRTC statistics: packet loss, jitter, round-trip time, bitrates, codecs, frame rates and resolutions, audio levels, connection states and events such as joining, leaving or muting. No audio, video, chat or screen content is collected.",
        },
        { kind: 'paragraph', text: 'The identifiers sent with the measurements, and what happens to each before anything is stored:' },
        { kind: 'table', header: ['field', 'what it is', 'what happens to it'], rows: identifiers },
        { kind: 'paragraph', text: `Measurements: ${kept} fields of the statistics reports are stored as sent; they say how the call went, not who you are. Identifiers inside the reports (stream, track and connection ids) are ${treatment.detect}. The appendix lists every field.` },
        {
          kind: 'paragraph',
          text: `Not stored: ${dropped.fields.length > 0 ? dropped.fields.join(', ') : 'no field is named for dropping'}${dropped.reportTypes.length > 0 ? `; whole reports of the types ${dropped.reportTypes.join(', ')} (certificates)` : ''}. ${allowListRule}`,
        },
      ],
    },
    {
      title: 'Purposes and legal basis',
      blocks: [
        {
          kind: 'list',
          items: [
            'measuring and improving the quality of calls (audio and video quality scores, loss, delay)',
            'finding and fixing problems of a call, a network or a device, also while the call runs (live alerts)',
            'statistics per minute and per call, for capacity planning and quality trends',
          ],
        },
        { kind: 'paragraph', text: `Legal basis: ${config.legalBasis ?? missing('CALLMASK_LEGAL_BASIS', 'the legal basis')}` },
      ],
    },
    {
      title: 'How long the data is kept',
      blocks: [
        {
          kind: 'paragraph',
          text: `Measurements are kept for ${config.retentionDays} days and statistics per minute and per call for ${config.aggregateRetentionDays} days, unless a different period is set for a customer below. Each stored row carries its own expiry and is deleted then.`,
        },
        ...(retention.length > 0 ? [{ kind: 'table' as const, header: ['customer', 'measurements', 'statistics per minute and per call'], rows: retentionRows(retention) }] : []),
        {
          kind: 'paragraph',
          text: `Before they are processed, the measurements as sent wait in a queue (${framesStream}) and are deleted from it as soon as they are stored pseudonymised, at the latest after ${config.streamMaxAgeH} hours. Measurements that cannot be processed are kept for inspection for at most 7 days.`,
        },
        { kind: 'paragraph', text: `A log of who accessed, exported or erased data (holding pseudonyms, never your identifiers) is kept for ${config.auditRetentionDays} days.` },
      ],
    },
    {
      title: 'Where the data is stored',
      blocks: [
        {
          kind: 'paragraph',
          text: `Location: ${config.storageLocation ?? missing('CALLMASK_STORAGE_LOCATION', 'the storage location')}. The measurements are stored in ${config.clickhouseUrl ? 'a ClickHouse database' : 'an embedded database on the operator’s server'}; the keys that make the pseudonyms are stored apart from them, encrypted under a master key.`,
        },
      ],
    },
    {
      title: 'Processors and sub-processors',
      blocks:
        processors.length > 0
          ? [{ kind: 'table', header: ['name', 'role', 'purpose', 'location'], rows: processors.map((p) => [p.name, p.role ?? 'sub-processor', p.purpose, p.location ?? '']) }]
          : [{ kind: 'paragraph', text: `None. ${missing('CALLMASK_SUBPROCESSORS', 'processors and sub-processors, if any')}` }],
    },
    {
      title: 'Your rights and how to exercise them',
      blocks: [
        {
          kind: 'list',
          items: [
            'Access (GDPR Art. 15): you can ask which data about you is stored.',
            'Export (Art. 20): you can receive that data in a structured, machine-readable form (JSON or CSV).',
            'Erasure (Art. 17): you can ask for all data about you to be deleted, including statistics and measurements still waiting to be processed.',
            'Objection (Art. 21): you can object to the collection; the app then stops sending measurements about you and the stored ones are erased.',
            'You can also ask for rectification or restriction, and complain to a data protection supervisory authority.',
          ],
        },
        {
          kind: 'paragraph',
          text: `To exercise them, contact the controller${config.dpoContact ? ' or the data protection officer' : ''} (above) and give the identifier you use in the service (phone number, e-mail address, user id or display name). The operator computes its pseudonyms under every key of your customer account and exports or erases every stored row that carries them (the operator's admin API and the callmask erase and export commands). Each such request is recorded in the audit log with the pseudonyms only.`,
        },
      ],
    },
    {
      title: 'Appendix: every field and what happens to it',
      blocks: fields.map((f) => ({ kind: 'table' as const, header: [f.where === 'call' ? 'call field' : f.where === 'event' ? 'event field' : `${f.where} field`, 'what happens to it'], rows: f.rules.map(([field, action]) => [field, action === 'keep' ? 'stored as sent' : treatment[action]]) })),
    },
  ]
  return {
    title: 'Privacy notice: call quality measurements',
    intro: `This notice is written by callmask from its running configuration and policy (${new Date().toISOString().slice(0, 10)}). It describes how the measurements of your calls are processed.`,
    sections,
  }
}

/** The notice in the wanted format, audited as `notice.write`. */
export function writeNotice(admin: AdminContext, actor: Actor, options: { format: NoticeFormat; tenant?: string }): Promise<string> {
  return audited(
    admin,
    actor,
    { operation: 'notice.write', tenant: options.tenant ?? '' },
    async () => {
      const doc = await noticeDocument(admin, options)
      return options.format === 'html' ? renderHtml(doc) : renderMarkdown(doc)
    },
    (text) => ({ format: options.format, characters: text.length }),
  )
}

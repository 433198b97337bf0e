// Unit: the policy decides what of a frame survives and in what form; an invalid policy
// stops start-up with the path named.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../lib/errors.ts'
import { applyPolicyToEvent, applyPolicyToStats } from '../policy/apply-policy.ts'
import { createFieldTransformerFactory } from '../policy/field-transformer.ts'
import { compilePolicy, defaultPolicyPath, loadPolicy } from '../policy/load-policy.ts'
import { createPseudonymiser } from '../keyring/pseudonymiser.ts'
import type { StatsFrame } from '../schemas/frames.ts'
import { captureFrames, loadCapture } from './support/captures.ts'
import { staticKeys } from './support/static-keys.ts'

const policy = loadPolicy()
const transformerFor = createFieldTransformerFactory()
const pseudonymiser = createPseudonymiser(staticKeys())
const call = { conferenceId: 'room-1', participantId: 'u-1', peerConnectionId: 'pc-1' }

async function transformFor(tenant: string, p = policy) {
  return transformerFor(await pseudonymiser.forTenant(tenant), p.detectOptions(tenant))
}

describe('pseudonymisation policy', () => {
  it('keeps only named fields of real reports and drops certificates, ufrags and fingerprints', async () => {
    const sample = captureFrames(loadCapture('chromium-loopback-av.json'))[20]!
    const frame = { type: 'stats', seq: 1, ts: sample.ts, call, reports: sample.reports } as StatsFrame
    const out = applyPolicyToStats(frame, policy, await transformFor('acme'))
    expect(out.reports.some((r) => r.type === 'certificate')).toBe(false)
    expect(out.reports.length).toBe(frame.reports.filter((r) => r.type !== 'certificate').length)
    const text = JSON.stringify(out)
    expect(text).not.toMatch(/usernameFragment|iceLocalUsernameFragment|fingerprint|base64Certificate|foundation|googTimingFrameInfo/)
    const inbound = out.reports.find((r) => r.type === 'inbound-rtp')!
    expect(inbound['packetsReceived']).toBeTypeOf('number')
    const local = out.reports.find((r) => r.type === 'local-candidate')!
    expect(local['address']).toBe('127.0.0.0')
  })

  it('pseudonymises participant ids and display names always, detects in conference ids', async () => {
    const transform = await transformFor('acme')
    const frame: StatsFrame = {
      type: 'stats', seq: 1, ts: 1,
      call: { conferenceId: 'weekly:anna.schmidt@example.com', participantId: '+49 176 1234 5678', peerConnectionId: 'pc-9', displayName: 'Dr. Jan-Kees Lantsheer', callId: 'call-203.0.113.9' },
      reports: [{ id: 'RTCDataChannel_1', type: 'data-channel', timestamp: 1, label: 'chat-Anna Schmidt', state: 'open' }],
    }
    const out = applyPolicyToStats(frame, policy, transform)
    expect(out.call.participantId).toBe(transform.pseudonymise('+4917612345678', 'id'))
    expect(out.call.displayName).toMatch(/^p_k1_/)
    expect(out.call.conferenceId).toMatch(/^weekly:p_k1_[\w-]{22}$/)
    expect(out.call.callId).toMatch(/^call-p_k1_[\w-]{22}$/)
    expect(out.reports[0]!['label']).toMatch(/^chat-p_k1_[\w-]{22}$/)
    expect(JSON.stringify(out)).not.toMatch(/anna|schmidt|lantsheer|176|203\.0/i)
  })

  it('truncates addresses inside TURN URLs and related addresses', async () => {
    const transform = await transformFor('acme')
    const frame: StatsFrame = {
      type: 'stats', seq: 1, ts: 1, call,
      reports: [{ id: 'I1', type: 'local-candidate', timestamp: 1, address: '2001:db8:85a3:1:2:3:4:5', relatedAddress: '192.168.17.23', url: 'turn:203.0.113.7:3478?transport=udp', candidateType: 'relay' }],
    }
    const [report] = applyPolicyToStats(frame, policy, transform).reports
    expect(report).toMatchObject({ address: '2001:db8:85a3::', relatedAddress: '192.168.17.0', url: 'turn:203.0.113.0:3478?transport=udp', candidateType: 'relay' })
  })

  it('recognises national phone formats only for tenants with a declared country', async () => {
    const withCountry = compilePolicy({ ...policyJson(), tenants: { de: { defaultCountry: 'DE', deny: ['projekt-falke'], allow: ['anna schmidt'] } } }, 'test')
    const de = await transformFor('de', withCountry)
    const other = await transformFor('other', withCountry)
    expect(de.scrub('0176 12345678-daily')).toMatch(/^p_k1_[\w-]{22}-daily$/)
    expect(other.scrub('0176 12345678-daily')).toBe('0176 12345678-daily')
    expect(de.scrub('room projekt-falke')).toMatch(/^room p_k1_/)
    expect(de.scrub('Anna Schmidt')).toBe('Anna Schmidt')
    expect(other.scrub('Anna Schmidt')).toMatch(/^p_k1_/)
  })

  it('keeps event states and drops free text', async () => {
    const out = applyPolicyToEvent({ type: 'event', seq: 1, ts: 1, call, name: 'device-change', value: 'Jabra Evolve of Anna Schmidt' }, policy, await transformFor('acme'))
    expect(String(out.value)).not.toMatch(/anna|schmidt/i)
  })

  it('refuses an invalid policy with the path named', () => {
    const bad = policyJson()
    ;(bad['reports'] as Record<string, Record<string, string>>)['inbound-rtp']!['packetsLost'] = 'hash'
    expect(() => compilePolicy(bad, 'bad.json')).toThrow(ConfigError)
    expect(() => compilePolicy(bad, 'bad.json')).toThrow(/bad\.json.*\n.*\/reports\/inbound-rtp\/packetsLost must be equal to one of the allowed values/)
    expect(() => compilePolicy({ ...policyJson(), tenants: { uk: { defaultCountry: 'UK' } } }, 'uk.json')).toThrow(/\/tenants\/uk\/defaultCountry UK is not a country/)
    const dir = mkdtempSync(join(tmpdir(), 'callmask-policy-'))
    writeFileSync(join(dir, 'p.json'), '{ not json')
    expect(() => loadPolicy(join(dir, 'p.json'))).toThrow(/is not valid JSON/)
    expect(() => loadPolicy(join(dir, 'missing.json'))).toThrow(/cannot be read/)
  })
})

function policyJson(): Record<string, unknown> {
  return JSON.parse(readFileSync(defaultPolicyPath, 'utf8')) as Record<string, unknown>
}

describe('pseudonymisation of oversized values', () => {
  it('pseudonymises a value too long to be an identifier whole, without scanning it', async () => {
    const transform = await transformerFor(await pseudonymiser.forTenant('big'), { defaultCountry: 'DE' })
    const long = '1 '.repeat(4000) + 'Anna Schmidt'
    const out = transform.scrub(long)
    expect(out).toMatch(/^p_k1_[\w-]{22}$/)
    expect(transform.scrub(long)).toBe(out)
  })
})

describe('default policy on user ids and display names', () => {
  it('pseudonymises every personal value of the labelled corpus there (R = 1.00)', async () => {
    const { buildCorpus } = await import('./pii/corpus/build-corpus.ts')
    const personal = buildCorpus().filter((item) => item.expected.length > 0)
    expect(personal.length).toBeGreaterThan(5000)
    const transform = await transformFor('acme')
    const leaks: string[] = []
    for (const { text } of personal) {
      const out = applyPolicyToStats({ type: 'stats', seq: 1, ts: 1, call: { conferenceId: 'c', participantId: text, peerConnectionId: 'p', displayName: text }, reports: [] }, policy, transform).call
      for (const value of [out.participantId, out.displayName]) if (!/^p_k1_[\w-]{22}$/.test(value ?? '')) leaks.push(text)
    }
    console.log(`user id and display name fields: ${personal.length * 2 - leaks.length}/${personal.length * 2} personal values pseudonymised`)
    expect(leaks).toEqual([])
  })
})

describe('per-tenant retention', () => {
  it('writes the tenant\'s retention from the policy into every row, else the default', async () => {
    const { createMessageDecoder } = await import('../processor/message-decoder.ts')
    const { headers } = await import('@nats-io/nats-core')
    const withRetention = compilePolicy({ ...policyJson(), tenants: { shortlived: { retentionDays: 7 } } }, 'test')
    const decode = createMessageDecoder({ pseudonymiser, policy: withRetention, retentionDays: 30 })
    const message = (tenant: string) => {
      const h = headers()
      for (const [k, v] of Object.entries({ 'Callmask-Tenant': tenant, 'Callmask-Session': 'session-1', 'Callmask-Seq': '1', 'Callmask-Encoding': 'json', 'Callmask-Received-At': String(Date.now()) })) h.set(k, v)
      return { headers: h, data: new TextEncoder().encode(JSON.stringify({ type: 'event', seq: 1, ts: Date.now(), call, name: 'join' })) }
    }
    expect((await decode(message('shortlived'))).rows.call_events[0]!['retention_days']).toBe(7)
    expect((await decode(message('other'))).rows.call_events[0]!['retention_days']).toBe(30)
  })
})

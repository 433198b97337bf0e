// Unit: keyed pseudonyms are deterministic within a tenant, unrelated across tenants, and
// every spelling of one phone number gives one pseudonym.
import { describe, expect, it } from 'vitest'
import { applyPolicyToCall } from '../policy/apply-policy.ts'
import { createFieldTransformerFactory, withScanBudget } from '../policy/field-transformer.ts'
import { loadPolicy } from '../policy/load-policy.ts'
import { createPseudonymiser, type TenantPseudonymiser } from '../keyring/pseudonymiser.ts'
import { staticKeys } from './support/static-keys.ts'

const transformerFor = createFieldTransformerFactory()
const scrubIdentifier = (value: string, tenant: TenantPseudonymiser) => transformerFor(tenant, {}).scrub(value)
const defaultPolicy = loadPolicy()
const applyCallContextPolicy = (call: Parameters<typeof applyPolicyToCall>[0], tenant: TenantPseudonymiser) => {
  const out = applyPolicyToCall(call, defaultPolicy, transformerFor(tenant, {}))
  return { participant_id: out.participantId, display_name: out.displayName, conference_id: out.conferenceId }
}

describe('pseudonymiser', () => {
  it('is deterministic per tenant and differs across tenants', async () => {
    const pseudonymiser = createPseudonymiser(staticKeys())
    const acme = await pseudonymiser.forTenant('acme')
    const globex = await pseudonymiser.forTenant('globex')
    const first = acme.pseudonym('id', 'anna.schmidt@example.com')
    expect(first).toMatch(/^p_k1_[A-Za-z0-9_-]{22}$/)
    expect(acme.pseudonym('id', 'anna.schmidt@example.com')).toBe(first)
    const otherKey = await createPseudonymiser(staticKeys()).forTenant('acme')
    expect(otherKey.pseudonym('id', 'anna.schmidt@example.com')).not.toBe(first)
    expect(globex.pseudonym('id', 'anna.schmidt@example.com')).not.toBe(first)
    // The type tag separates domains: the same text as a name is another pseudonym.
    expect(acme.pseudonym('name', 'anna.schmidt@example.com')).not.toBe(first)
  })

  it('normalises phone numbers to E.164 before hashing', async () => {
    const acme = await createPseudonymiser(staticKeys()).forTenant('acme')
    const spellings = ['+49 176 1234 5678', '+4917612345678', '0049 176 12345678', '+49-176-1234-5678', '+49.176.1234.5678']
    const scrubbed = spellings.map((s) => scrubIdentifier(`${s}-daily`, acme))
    expect(new Set(scrubbed).size).toBe(1)
    expect(scrubbed[0]).toMatch(/^p_k1_[A-Za-z0-9_-]{22}-daily$/)
    expect(scrubbed[0]).toContain(acme.pseudonym('phone', '+4917612345678'))
    expect(scrubIdentifier('tel:+49-176-1234-5678', acme)).toBe(`tel:${acme.pseudonym('phone', '+4917612345678')}`)
  })

  it('leaves opaque ids readable and pseudonymises participant and display name always', async () => {
    const acme = await createPseudonymiser(staticKeys()).forTenant('acme')
    expect(scrubIdentifier('IT01V2845328947', acme)).toBe('IT01V2845328947')
    expect(scrubIdentifier('weekly-standup-3', acme)).toBe('weekly-standup-3')
    const columns = applyCallContextPolicy(
      { conferenceId: 'room-1', participantId: 'u-1', peerConnectionId: 'pc-1', displayName: '  Anna   SCHMIDT ' },
      acme,
    )
    expect(columns.participant_id).toBe(acme.pseudonym('id', 'u-1'))
    expect(columns.display_name).toBe(applyCallContextPolicy({ conferenceId: 'r', participantId: 'x', peerConnectionId: 'p', displayName: 'anna schmidt' }, acme).display_name)
    expect(columns.conference_id).toBe('room-1')
  })

  // Regression: a participant id that was a tel: or sip: URI got a pseudonym of its own (0 of
  // 400 matched E.164), so an erasure by phone number would have missed it.
  it('one subject, one pseudonym: a phone number as E.164, national, tel: or sip: URI', async () => {
    const tenant = await createPseudonymiser(staticKeys()).forTenant('acme')
    const transform = transformerFor(tenant, {})
    const spellings = [
      '+4917612345678',
      '+49 176 1234 5678',
      '0049 176 12345678',
      'tel:+4917612345678',
      'TEL:+49 176 1234 5678',
      'tel:+49-176-1234-5678;phone-context=example.com',
      'sip:+4917612345678@pbx.example.com',
      '<sips:+4917612345678@pbx.example.com;user=phone>',
    ]
    const pseudonyms = new Set(spellings.map((s) => transform.pseudonymise(s, 'id')))
    expect(pseudonyms.size).toBe(1)
    expect([...pseudonyms][0]).toBe(tenant.pseudonym('phone', '+4917612345678'))
    // And an e-mail behind mailto: is the e-mail's pseudonym.
    expect(transform.pseudonymise('mailto:Anna@Example.com', 'id')).toBe(tenant.pseudonym('email', 'anna@example.com'))
    // A value with more than the identifier in it stays an id of its own.
    expect(transform.pseudonymise('tel:+4917612345678 (desk)', 'id')).not.toBe(tenant.pseudonym('phone', '+4917612345678'))
  })

  // Regression: a frame full of long digit-laden values held the processor for seconds.
  it('a frame scans at most its budget; the values past it are pseudonymised whole', async () => {
    const tenant = await createPseudonymiser(staticKeys()).forTenant('acme')
    const budgeted = withScanBudget(transformerFor(tenant, {}), 100)
    expect(budgeted.scrub('standup-+4917612345678')).toBe(`standup-${tenant.pseudonym('phone', '+4917612345678')}`)
    const long = 'room-+4917612345678-' + 'x'.repeat(90)
    expect(budgeted.scrub(long)).toBe(tenant.pseudonym('id', long))
    expect(budgeted.scrub('standup-+4917612345678')).toBe(tenant.pseudonym('id', 'standup-+4917612345678'))
  })
})

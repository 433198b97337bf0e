// A data subject's pseudonyms: what the processor would have stored for a raw identifier
// under each live key version of the tenant, whichever field it was sent in. A participant
// id or display name is pseudonymised whole (a phone number or e-mail in its canonical form,
// so "+49 176 1234 5678", "tel:+4917612345678" and "0049 176 12345678" are one subject);
// an identifier inside a conference or call id was replaced span by span. The fresh
// transformer per request keeps no raw value in any cache once the request ends.
import type { TenantKey } from '../keyring/pseudonymiser.ts'
import { computePseudonym } from '../keyring/pseudonymiser.ts'
import { createFieldTransformerFactory } from '../policy/field-transformer.ts'
import type { DetectOptions } from '../pii/span.ts'
import { pseudonymTokens } from '../storage/erasure-list.ts'

export function subjectPseudonyms(tenant: string, keys: readonly TenantKey[], identifier: string, detect: DetectOptions): string[] {
  const found = new Set<string>()
  const transformerFor = createFieldTransformerFactory({ cacheSize: 16 })
  // User ids are pseudonymised exactly as sent: the spelling given, and in lower case (ids
  // typed by a person rarely keep their case), are both looked for.
  const spellings = [...new Set([identifier, identifier.trim(), identifier.trim().toLowerCase()])]
  for (const key of keys) {
    const transform = transformerFor({ tenant, keyVersion: key.version, pseudonym: (type, value) => computePseudonym(key, type, value) }, detect)
    for (const spelling of spellings) {
      found.add(transform.pseudonymise(spelling, 'id'))
      found.add(transform.pseudonymise(spelling, 'name'))
      for (const token of pseudonymTokens(transform.scrub(spelling))) found.add(token)
    }
  }
  return [...found].sort()
}

import { describe, expect, it } from 'vitest'
import { detectEmails } from '../../pii/email-detector.ts'

describe('email detector', () => {
  it('finds and lower-cases addresses', () => {
    expect(detectEmails('peer Anna.Schmidt+rtc@Example.co.uk joined')).toEqual([
      { kind: 'email', start: 5, end: 35, normalised: 'anna.schmidt+rtc@example.co.uk' },
    ])
  })
  it('handles Unicode addresses and trailing dots', () => {
    expect(detectEmails('müller@bücher.de.').map((s) => s.normalised)).toEqual(['müller@bücher.de'])
  })
  it('ignores things that are not addresses', () => {
    for (const text of ['a@b', 'user@203.0.113.7', 'no at sign', '@handle', 'x@-bad.com']) expect(detectEmails(text)).toEqual([])
  })
})

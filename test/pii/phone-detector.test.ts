import { describe, expect, it } from 'vitest'
import { detectPhones } from '../../pii/phone-detector.ts'

const texts = (text: string, country?: Parameters<typeof detectPhones>[1]) =>
  detectPhones(text, country).map((s) => ({ text: text.slice(s.start, s.end), e164: s.normalised }))

describe('phone detector', () => {
  it.each(['+49 176 1234 5678', '0049 176 12345678', '+4917612345678', '+49-176-1234-5678', '+49.176.1234.5678', '+49 (0)176 1234 5678', '+49 (176) 1234-5678'])(
    'normalises %s to E.164', (written) => {
      expect(texts(written)).toEqual([{ text: written, e164: '+4917612345678' }])
    })

  it('finds the user part of a tel: URI', () => {
    expect(texts('tel:+49-176-1234-5678')).toEqual([{ text: '+49-176-1234-5678', e164: '+4917612345678' }])
  })

  it('finds numbers embedded in identifiers with exact spans', () => {
    expect(texts('+49 176 1234 5678-daily')).toEqual([{ text: '+49 176 1234 5678', e164: '+4917612345678' }])
    expect(texts('room-+4917612345678')).toEqual([{ text: '+4917612345678', e164: '+4917612345678' }])
    expect(texts('+4917612345678-1700000000000')).toEqual([{ text: '+4917612345678', e164: '+4917612345678' }])
  })

  it('never reads a bare digit run as a phone number without a country', () => {
    for (const id of ['4917612345678', '1700000000000', '1700000000', '2938475610', '3478', '17612345678', '004']) {
      expect(detectPhones(id)).toEqual([])
    }
  })

  it('rejects invalid numbers after + or 00', () => {
    expect(detectPhones('+49 000 0000')).toEqual([])
    expect(detectPhones('+1 123 456 7890')).toEqual([])
  })

  it('reads national forms only with the tenant country', () => {
    expect(detectPhones('0176 12345678')).toEqual([])
    expect(texts('0176 12345678', 'DE')).toEqual([{ text: '0176 12345678', e164: '+4917612345678' }])
    expect(texts('call (415) 555-2671', 'US')).toEqual([{ text: '(415) 555-2671', e164: '+14155552671' }])
  })

  it('keeps ids, dates and timestamps out even with a tenant country', () => {
    for (const id of ['4155552671', '1700000000000', '2024-01-15', '15.01.2024', '203.0.113.7']) {
      expect(detectPhones(id, 'DE')).toEqual([])
      expect(detectPhones(id, 'US')).toEqual([])
    }
  })
})

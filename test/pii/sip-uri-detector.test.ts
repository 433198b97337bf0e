import { describe, expect, it } from 'vitest'
import { detectSipUris } from '../../pii/sip-uri-detector.ts'

const parts = (text: string) => detectSipUris(text).map((s) => ({ kind: s.kind, text: text.slice(s.start, s.end), normalised: s.normalised }))

describe('SIP/tel URI detector', () => {
  it('spans the user part only and normalises user@host without scheme or port', () => {
    expect(parts('<sip:Anna.Schmidt@PBX.example.com:5060;transport=tls>')).toEqual([
      { kind: 'sip', text: 'Anna.Schmidt', normalised: 'anna.schmidt@pbx.example.com' },
    ])
    expect(parts('sips:anna.schmidt@pbx.example.com')[0]?.normalised).toBe('anna.schmidt@pbx.example.com')
  })
  it('turns phone-number user parts into E.164 phones', () => {
    expect(parts('sips:+4917612345678@example.com;user=phone')).toEqual([{ kind: 'phone', text: '+4917612345678', normalised: '+4917612345678' }])
    expect(parts('sip:004917612345678@10.0.0.1')).toEqual([{ kind: 'phone', text: '004917612345678', normalised: '+4917612345678' }])
    expect(parts('tel:+49-176-1234-5678;ext=12')).toEqual([{ kind: 'phone', text: '+49-176-1234-5678', normalised: '+4917612345678' }])
  })
  it('keeps local tel numbers as sip kind and ignores user-less URIs', () => {
    expect(parts('tel:7042;phone-context=example.com')).toEqual([{ kind: 'sip', text: '7042', normalised: 'tel:7042' }])
    expect(parts('sip:pbx.example.com')).toEqual([])
    expect(parts('gossip:x@y.z')).toEqual([])
  })
})

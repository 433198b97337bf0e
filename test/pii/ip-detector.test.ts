import { describe, expect, it } from 'vitest'
import { detectIps, truncateIp } from '../../pii/ip-detector.ts'

const found = (text: string) => detectIps(text).map((s) => text.slice(s.start, s.end))

describe('IP detector', () => {
  it('finds addresses in ICE candidates and TURN URLs', () => {
    expect(found('candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.5 rport 46154')).toEqual(['203.0.113.7', '10.0.0.5'])
    expect(found('turn:203.0.113.7:3478?transport=udp')).toEqual(['203.0.113.7'])
    expect(found('turn:[2001:db8::1]:3478')).toEqual(['2001:db8::1'])
    expect(found('fe80::1%eth0')).toEqual(['fe80::1'])
  })
  it('normalises IPv6 to RFC 5952 form', () => {
    expect(detectIps('2001:0DB8:0000:0000:0000:0000:0000:0001')[0]?.normalised).toBe('2001:db8::1')
  })
  it('ignores times, MACs, versions and scoped names', () => {
    for (const text of ['12:34:56', '2024-01-15T12:34:56.789Z', 'aa:bb:cc:dd:ee:ff', 'Chrome/120.0.0.0', 'v1.2.3.4', 'std::vector', '999.1.1.1']) {
      expect(found(text)).toEqual([])
    }
  })
  it('truncates IPv4 to /24 and IPv6 to /48', () => {
    expect(truncateIp('203.0.113.7')).toBe('203.0.113.0')
    expect(truncateIp('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::')
    expect(truncateIp('[2001:db8::1]')).toBe('2001:db8::')
    expect(truncateIp('not an ip')).toBe('')
  })
})

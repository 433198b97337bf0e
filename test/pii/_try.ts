import { detectIps, truncateIp } from '../../processor/pii/ip-detector.ts'
import { detectEmails } from '../../processor/pii/email-detector.ts'
import { detectSipUris } from '../../processor/pii/sip-uri-detector.ts'
for (const s of ['turn:203.0.113.7:3478?transport=udp','candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.5 rport 46154','turn:[2001:db8::1]:3478','fe80::1%eth0','12:34:56','aa:bb:cc:dd:ee:ff','Chrome/120.0.0.0','std::vector','::ffff:203.0.113.7','2024-01-15T12:34:56.789Z','http://192.168.1.1/x','2001:0DB8:0000:0000:0000:0000:0000:0001'])
  console.log(s, JSON.stringify(detectIps(s)))
for (const s of ['203.0.113.7','2001:db8:85a3:8d3:1319:8a2e:370:7348','[2001:db8::1]','::1']) console.log(s, truncateIp(s))
for (const s of ['Anna.Schmidt@Example.com','mailto:a+b@x.co.uk.','sip:anna@example.com','anna@203.0.113.7','x@y', 'müller@bücher.de']) console.log(s, JSON.stringify(detectEmails(s)))
for (const s of ['sip:anna.schmidt@pbx.example.com:5060;transport=tls','sips:+4917612345678@example.com;user=phone','tel:+49-176-1234-5678','sip:pbx.example.com','<sip:004917612345678@10.0.0.1>','tel:7042;phone-context=example.com'])
  console.log(s, JSON.stringify(detectSipUris(s)))

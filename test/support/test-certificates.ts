// A private CA and a server certificate it signed, made with openssl at test time in a temp
// directory (nothing checked in expires): for the TLS terminator and a TLS nats-server.
// The server certificate names localhost and 127.0.0.1, where the tests connect, and may also
// authenticate as a client (NATS cluster routes verify each other).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TestCertificates {
  /** The CA's certificate (PEM): what a client must trust. */
  readonly ca: string
  readonly caFile: string
  readonly certFile: string
  readonly keyFile: string
  /** Certificate and key in one PEM, as haproxy's `crt` takes them. */
  readonly combinedFile: string
  remove(): void
}

export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'callmask-tls-'))
  const file = (name: string) => join(dir, name)
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] })
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  openssl('req', '-x509', ...ecKey, '-keyout', file('ca-key.pem'), '-out', file('ca.pem'), '-days', '2', '-subj', '/CN=callmask test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign')
  openssl('req', ...ecKey, '-keyout', file('server-key.pem'), '-out', file('server.csr'), '-subj', '/CN=localhost')
  writeFileSync(file('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n')
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca-key.pem'), '-CAcreateserial',
    '-out', file('server.pem'), '-days', '2', '-extfile', file('server.ext'))
  writeFileSync(file('combined.pem'), readFileSync(file('server.pem'), 'utf8') + readFileSync(file('server-key.pem'), 'utf8'), { mode: 0o600 })
  return {
    ca: readFileSync(file('ca.pem'), 'utf8'),
    caFile: file('ca.pem'),
    certFile: file('server.pem'),
    keyFile: file('server-key.pem'),
    combinedFile: file('combined.pem'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

// A loopback port nothing listens on, for tests of "cannot connect" errors.
import { createServer } from 'node:net'

export async function closedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
  const port = (probe.address() as { port: number }).port
  await new Promise((r) => probe.close(r))
  return port
}

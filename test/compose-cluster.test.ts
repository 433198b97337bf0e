// docker-compose.cluster.yml and the deploy/ files it runs agree: every variable
// deploy/nats-cluster.conf and the ClickHouse and Keeper configs read from the environment is
// given to their services, and the cluster's hosts are the compose services. (The file's
// syntax and its required variables are checked by `docker-compose config -q` in .ci/run.)
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const compose = readFileSync('docker-compose.cluster.yml', 'utf8')
const service = (name: string): string => {
  const start = compose.indexOf(`\n  ${name}:`)
  expect(start, name).toBeGreaterThan(0)
  const next = compose.slice(start + 1).search(/\n  [\w-]+:/)
  return compose.slice(start, next < 0 ? undefined : start + 1 + next)
}
const anchor = (name: string): string => compose.slice(compose.indexOf(`&${name}`), compose.indexOf('\n\n', compose.indexOf(`&${name}`)))
const fromEnv = (file: string): string[] => [...readFileSync(file, 'utf8').matchAll(/from_env="(\w+)"/g)].map((m) => m[1]!)

describe('docker-compose.cluster.yml', () => {
  it('gives every NATS node the variables deploy/nats-cluster.conf reads, and its own name', () => {
    const needed = new Set([...readFileSync('deploy/nats-cluster.conf', 'utf8').matchAll(/\$(CALLMASK_\w+)/g)].map((m) => m[1]!))
    for (const variable of needed) if (variable !== 'CALLMASK_NATS_SERVER_NAME') expect(anchor('nats'), variable).toContain(`${variable}:`)
    for (const node of ['nats-1', 'nats-2', 'nats-3']) expect(service(node)).toContain(`CALLMASK_NATS_SERVER_NAME: ${node}`)
  })

  it('runs the hosts of callmask_cluster, two shards of two replicas, each with its shard and replica', () => {
    const hosts = [...readFileSync('deploy/clickhouse/callmask-cluster.xml', 'utf8').matchAll(/<host>([\w-]+)<\/host>/g)].map((m) => m[1]!)
    expect(hosts).toEqual(['ch-1', 'ch-2', 'ch-3', 'ch-4', 'keeper-1', 'keeper-2', 'keeper-3'])
    const shards: Record<string, string> = { 'ch-1': '01', 'ch-2': '01', 'ch-3': '02', 'ch-4': '02' }
    for (const [host, shard] of Object.entries(shards)) {
      expect(service(host)).toContain(`CLICKHOUSE_SHARD: "${shard}", CLICKHOUSE_REPLICA: ${host}`)
      expect(service(host)).toContain(`hostname: ${host}`)
    }
    expect(fromEnv('deploy/clickhouse/callmask-cluster.xml').sort()).toEqual(['CLICKHOUSE_CLUSTER_SECRET', 'CLICKHOUSE_REPLICA', 'CLICKHOUSE_SHARD'])
    expect(anchor('clickhouse-env')).toContain('CLICKHOUSE_CLUSTER_SECRET:')
    expect(fromEnv('deploy/clickhouse/keeper.xml')).toEqual(['KEEPER_SERVER_ID'])
    for (const id of ['1', '2', '3']) expect(service(`keeper-${id}`)).toContain(`KEEPER_SERVER_ID: "${id}"`)
  })

  it('runs callmask on the sharded variant and haproxy in front of both ingest servers and the API', () => {
    expect(anchor('callmask-env')).toMatch(/CLICKHOUSE_CLUSTER: callmask_cluster\n\s+CLICKHOUSE_SHARDED: "true"/)
    expect(anchor('callmask-env')).toContain('CALLMASK_STREAM_REPLICAS: "3"')
    const haproxy = service('haproxy')
    for (const backend of ['CALLMASK_TLS_INGEST_1: ingest-1:8080', 'CALLMASK_TLS_INGEST_2: ingest-2:8080', 'CALLMASK_TLS_API_1: api:8090']) expect(haproxy).toContain(backend)
    // Only haproxy publishes a port.
    expect(compose.match(/\n    ports:/g)).toHaveLength(1)
  })

  it('gives the API the admin user and the master key for the privacy operations, and init and keys the stream bounds', () => {
    const api = service('api')
    expect(api).toContain('NATS_CREDENTIALS_FILE: /etc/callmask/nats-credentials.json')
    expect(api).toContain('./deploy/nats-credentials.json:/etc/callmask/nats-credentials.json:ro')
    expect(api).toContain('CALLMASK_MASTER_KEY:')
    for (const name of ['init', 'keys']) for (const variable of ['CALLMASK_STREAM_MAX_MB', 'CALLMASK_ACK_WAIT_S', 'CALLMASK_STREAM_REPLICAS']) expect(service(name), `${name} ${variable}`).toContain(`${variable}:`)
    // The NATS nodes get their own certificate and the CA, not haproxy's key.
    for (const node of ['nats-1', 'nats-2', 'nats-3']) expect(service(node)).not.toContain('./deploy/tls:')
  })
})

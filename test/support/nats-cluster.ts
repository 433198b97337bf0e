// A JetStream cluster of real nats-servers on loopback, for the cluster and fault tests:
// each node has its own store, client port and route port, and may be killed and restarted
// on its own (a restart keeps its ports and store, as a crashed machine coming back would).
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import type { ConnectionOptions } from '@nats-io/nats-core'
import { startNatsServer, type NatsServerHandle } from '../../lib/nats-server-launcher.ts'
import { closedPort } from './closed-port.ts'

export interface NatsCluster {
  /** Node i is named `n<i+1>` (the name JetStream reports as a stream's leader). */
  readonly nodes: NatsServerHandle[]
  /** Every node's client URL, comma-separated, as NATS_URL takes them. */
  readonly urls: string
  node(name: string): NatsServerHandle
  stop(): Promise<void>
}

export const nodeName = (index: number): string => `n${index + 1}`

export async function startNatsCluster(options: { size?: number; rootDir: string; authorization?: string }): Promise<NatsCluster> {
  const size = options.size ?? 3
  const clientPorts = await Promise.all(Array.from({ length: size }, () => closedPort()))
  const routePorts = await Promise.all(Array.from({ length: size }, () => closedPort()))
  // A name of its own: a route that reaches another test's cluster (a port picked by both
  // before either bound it) is refused instead of joining the two.
  const name = `callmask-${randomBytes(4).toString('hex')}`
  // All at once: a node waits for its peers before JetStream can elect a meta leader.
  const nodes = await Promise.all(
    clientPorts.map((port, i) =>
      startNatsServer({
        port,
        serverName: nodeName(i),
        storeDir: join(options.rootDir, nodeName(i), 'store'),
        workDir: join(options.rootDir, nodeName(i), 'run'),
        authorization: options.authorization,
        cluster: { name, port: routePorts[i]!, routes: routePorts.filter((_, j) => j !== i) },
      }),
    ),
  )
  return {
    nodes,
    urls: nodes.map((n) => n.url).join(','),
    node(name) {
      const node = nodes[Number(name.slice(1)) - 1]
      if (!node) throw new Error(`no node ${name} in this cluster`)
      return node
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()))
    },
  }
}

/** The name of the node that leads a stream now (it takes the writes). */
export async function streamLeader(connection: ConnectionOptions, stream: string): Promise<string> {
  const nc = await connect(connection)
  try {
    const info = await (await jetstreamManager(nc, { checkAPI: false })).streams.info(stream)
    const leader = info.cluster?.leader
    if (!leader) throw new Error(`stream ${stream} has no leader`)
    return leader
  } finally {
    await nc.close()
  }
}

// The faults of the fault matrix (issue 14), each injected into the scaled-out callmask of
// fault-harness.ts and resolving at its repair.
import { setTimeout as sleep } from 'node:timers/promises'
import { framesStream } from '../../lib/jetstream-streams.ts'
import type { FaultContext, FaultScenario } from './fault-harness.ts'
import { streamLeader } from './nats-cluster.ts'

const leaderNode = async (context: FaultContext) => context.world.natsCluster!.node(await streamLeader(context.world.natsOptions('admin'), framesStream))

export const ingestDies = (signal: 'SIGKILL' | 'SIGTERM'): FaultScenario => ({
  name: `ingest ${signal === 'SIGKILL' ? 'kill -9' : 'SIGTERM'} (one of two, not restarted)`,
  inject: (context) => (signal === 'SIGKILL' ? context.ingests[0]!.kill() : context.ingests[0]!.stop()),
})

export const processorKilledTwice: FaultScenario = {
  name: 'processor kill -9 twice in a row (restarted after each)',
  async inject(context) {
    await context.processors[0]!.kill()
    context.processors[0] = await context.startProcessor()
    await context.processors[0].kill()
    context.processors[0] = await context.startProcessor()
  },
}

export const processorStopped: FaultScenario = {
  name: 'processor SIGTERM (restarted)',
  async inject(context) {
    await context.processors[0]!.stop()
    context.processors[0] = await context.startProcessor()
  },
}

/** A stall (a long GC pause, a frozen VM): the processor holds its messages past the ack wait, JetStream gives them to the other one, then it wakes up and carries on with them. */
export const processorPaused = (seconds: number): FaultScenario => ({
  name: `processor paused past the ack wait (SIGSTOP ${seconds} s, then SIGCONT)`,
  async inject(context) {
    const { pid } = context.processors[0]!
    process.kill(pid, 'SIGSTOP')
    await sleep(seconds * 1000)
    process.kill(pid, 'SIGCONT')
  },
})

export const natsLeaderDies = (signal: 'SIGKILL' | 'SIGTERM', downS: number): FaultScenario => ({
  name: `nats node ${signal === 'SIGKILL' ? 'kill -9' : 'SIGTERM'} (the stream leader, back after ${downS} s)`,
  async inject(context) {
    const node = await leaderNode(context)
    await node.kill(signal)
    await sleep(downS * 1000)
    await node.restart()
  },
})

export const natsClusterRestart: FaultScenario = {
  name: 'nats whole-cluster restart (all three SIGTERM, then started)',
  async inject(context) {
    const nodes = context.world.natsCluster!.nodes
    await Promise.all(nodes.map((node) => node.kill('SIGTERM')))
    await Promise.all(nodes.map((node) => node.restart()))
  },
}

export const clickhouseUnavailable = (seconds: number): FaultScenario => ({
  name: `ClickHouse unavailable for ${seconds} s (stopped: connections refused)`,
  async inject(context) {
    const clickhouse = context.world.clickhouseProcess!
    await clickhouse.stop()
    await sleep(seconds * 1000)
    await clickhouse.restart()
  },
})

export const clickhouseSlow = (latencyMs: number, seconds: number): FaultScenario => ({
  name: `slow ClickHouse (+${latencyMs} ms per answer for ${seconds} s)`,
  async inject(context) {
    const clickhouse = context.world.clickhouseProcess!
    await clickhouse.setLatency(latencyMs)
    await sleep(seconds * 1000)
    await clickhouse.setLatency(0)
  },
})

/** The matrix `npm run faults` prints. */
export const faultMatrix: FaultScenario[] = [
  ingestDies('SIGKILL'),
  ingestDies('SIGTERM'),
  processorKilledTwice,
  processorStopped,
  processorPaused(15),
  natsLeaderDies('SIGKILL', 10),
  natsLeaderDies('SIGTERM', 10),
  natsClusterRestart,
  clickhouseUnavailable(30),
  clickhouseSlow(2000, 30),
]

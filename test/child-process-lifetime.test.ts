// lib/child-process-lifetime.ts: a stop that a child ignores ends as a kill when asked to.
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { signalAndWait } from '../lib/child-process-lifetime.ts'

/** A child that ignores SIGTERM and says so once its handler is in place. */
async function stubbornChild() {
  const proc = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve) => proc.stdout!.once('data', () => resolve()))
  return proc
}

describe('signalAndWait', () => {
  it('kills a child that ignores the signal once killAfterMs has passed', async () => {
    const proc = await stubbornChild()
    await signalAndWait(proc, 'SIGTERM', { killAfterMs: 200 })
    expect(proc.signalCode).toBe('SIGKILL')
  })

  it('resolves at once for a child that has already exited', async () => {
    const proc = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
    await new Promise((resolve) => proc.once('exit', resolve))
    await signalAndWait(proc, 'SIGTERM', { killAfterMs: 200 })
    expect(proc.exitCode).toBe(0)
  })
})

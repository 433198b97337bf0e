// What `npm start` prints when it stops.
import type { StopReport } from './pipeline.ts'

// Says what it knows: every acknowledged frame is in JetStream; how many reached ClickHouse
// this run, and how many still wait (some held by a processor that died without acking).
export function stopSentence(report: StopReport, storedThisRun: number | undefined): string {
  const lines = ['callmask stopped. Every frame acknowledged to a client is stored in JetStream.']
  if (storedThisRun !== undefined) lines.push(`  Written to ClickHouse by this process: ${storedThisRun} frames.`)
  const backlog = report.backlog
  if (backlog && backlog.waiting + backlog.unacked > 0) {
    lines.push(`  Still in JetStream, written at the next start: ${backlog.waiting + backlog.unacked} frames.`)
    if (backlog.unacked > 0) {
      lines.push(`  ${backlog.unacked} of them were taken by a processor that has not acknowledged them (one that crashed?); JetStream gives them to a processor again ${backlog.ackWaitS} s after it took them.`)
    }
  } else if (backlog) {
    lines.push('  Nothing is waiting in JetStream for a processor.')
  }
  if (report.deadLettered) {
    lines.push(`  ${report.deadLettered} frames could not be stored and went to the dead-letter stream CALLMASK_DLQ (kept 7 days, with the reason in a header).`)
  }
  return lines.join('\n')
}

// The errors of reading an rtcstats dump. A dump carries personal data (display names,
// user ids, addresses), so no message here ever quotes the line: it names the line number
// and what was wrong with its shape, nothing of its content.
import { CallmaskError } from '../lib/errors.ts'

/** Why one line was skipped: a closed vocabulary, so messages cannot carry dump content. */
export const lineProblems = {
  notJson: 'is not JSON',
  notArray: 'is not a JSON array [method, pcId, payload, timestamp]',
  badMethod: 'has no method name (first element)',
  badPeerConnection: 'has a peer connection id that is neither a string nor null',
  badTimestamp: 'has no finite timestamp',
  statsNotObject: 'is a getstats line whose payload is not an object of reports',
  reportNotObject: 'is a getstats line with a report that is not an object',
  statsWithoutPeerConnection: 'is a getstats line without a peer connection id',
  badState: 'is a state change whose state is not a short string',
  tooLong: 'is longer than the line limit',
} as const
export type LineProblem = (typeof lineProblems)[keyof typeof lineProblems]

/** One line of a dump could not be used; the rest of the dump is read on. */
export class RtcstatsLineError extends CallmaskError {
  override name = 'RtcstatsLineError'
  constructor(
    readonly line: number,
    readonly problem: LineProblem,
  ) {
    super('CALLMASK_ERR_RTCSTATS_LINE', `line ${line} ${problem}; skipped`)
  }
}

/** The input as a whole is not a dump this importer reads. */
export class RtcstatsDumpError extends CallmaskError {
  override name = 'RtcstatsDumpError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('CALLMASK_ERR_RTCSTATS_DUMP', message, options)
  }
}

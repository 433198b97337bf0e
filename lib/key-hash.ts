// Keys people hold (ingest, analyst, admin) are stored and configured only as this hash.
import { createHash } from 'node:crypto'

export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex')

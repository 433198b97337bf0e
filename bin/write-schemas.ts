// `npm run schemas`: writes the wire protocol's JSON Schemas to schemas/json/ for SDK
// authors in other languages. schemas/frames.ts stays the source; a test checks the copies.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { allFrameSchemas } from '../schemas/frames.ts'
import { policySchema } from '../schemas/policy-schema.ts'

/** Everything written out: the wire frames and the pseudonymisation policy file. */
export const publishedSchemas = [...allFrameSchemas, policySchema] as const

export const schemaJsonDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas', 'json')
export const schemaFileName = (id: string): string => `${id.split('/').pop()}.schema.json`
export const renderSchema = (schema: object): string => JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema }, null, 2) + '\n'

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(schemaJsonDir, { recursive: true })
  for (const schema of publishedSchemas) {
    const file = join(schemaJsonDir, schemaFileName(schema.$id))
    writeFileSync(file, renderSchema(schema))
    process.stdout.write(`wrote ${file}\n`)
  }
}

// What the SQL endpoint runs: one SELECT over the analyst tables and views, nothing else.
// ClickHouse's own parser decides (EXPLAIN AST), never a regular expression over the text:
// every table the query reads must be one of `analystTables`, unqualified (the endpoint
// binds those names to the tenant's rows), no table functions (`file`, `url`, `remote`,
// `numbers`...), no SETTINGS, no INTO OUTFILE, no FORMAT, no sleeping.
import type { ClickHouseClient } from '@clickhouse/client'

export const analystTables = ['rtp_samples', 'connection_samples', 'call_events', 'stream_issues', 'quality_per_minute', 'call_summaries', 'active_issues'] as const

export class SqlRefusedError extends Error {}

const forbiddenFunctions = new Set(['sleep', 'sleepEachRow', 'getSetting', 'getServerSetting', 'currentDatabase', 'dictGet', 'joinGet', 'file', 'url', 'input'])

interface AstNode {
  depth: number
  kind: string
  name: string
}

function parseAst(text: string): AstNode[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((raw) => {
      const line = raw.replace(/^"|"$/g, '')
      const depth = line.length - line.trimStart().length
      const [kind = '', name = ''] = line.trim().replace(/ \(children \d+\)$/, '').replace(/ \(alias .*\)$/, '').split(' ', 2)
      return { depth, kind, name }
    })
}

/** Throws SqlRefusedError with the reason unless `sql` is one plain SELECT over the analyst tables. */
export async function checkAnalystSql(client: ClickHouseClient, sql: string, params: Record<string, unknown> = {}): Promise<void> {
  if (sql.includes(';')) throw new SqlRefusedError('one statement only, without `;`')
  let text: string
  try {
    const result = await client.query({ query: `EXPLAIN AST ${sql}`, format: 'TabSeparatedRaw', query_params: params })
    text = await result.text()
  } catch (error) {
    throw new SqlRefusedError(`ClickHouse cannot parse the query: ${(error as Error).message.split('\n')[0]!.slice(0, 300)}`)
  }
  const nodes = parseAst(text)
  if (nodes[0]?.kind !== 'SelectWithUnionQuery') throw new SqlRefusedError('only SELECT queries are allowed')
  // The root's children: the union's list, then the FORMAT this check itself added.
  const rootChildren = nodes.filter((n) => n.depth === 1)
  if (rootChildren.length !== 2 || rootChildren[0]!.kind !== 'ExpressionList') throw new SqlRefusedError('FORMAT, SETTINGS and INTO OUTFILE are not allowed')
  for (const [i, node] of nodes.entries()) {
    if (node.kind === 'Set' || node.kind === 'SetQuery') throw new SqlRefusedError('SETTINGS are not allowed')
    if (node.kind === 'Function' && forbiddenFunctions.has(node.name)) throw new SqlRefusedError(`the function ${node.name} is not allowed`)
    if (node.kind !== 'TableExpression') continue
    const child = nodes[i + 1]
    if (!child || child.depth !== node.depth + 1) throw new SqlRefusedError('unexpected table expression')
    if (child.kind === 'Subquery') continue
    if (child.kind === 'Function') throw new SqlRefusedError(`table functions are not allowed (${child.name})`)
    if (child.kind !== 'TableIdentifier' || !(analystTables as readonly string[]).includes(child.name)) {
      throw new SqlRefusedError(`the query may read only ${analystTables.join(', ')} (unqualified); it reads ${child.name || child.kind}`)
    }
  }
}

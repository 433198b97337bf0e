// Makes every string of a decoded frame well-formed UTF-16. JSON allows a lone surrogate
// ("\ud800"), msgpack can carry one as WTF-8 bytes, and a browser produces one when it cuts a
// name inside an emoji. ClickHouse refuses such a string (CANNOT_PARSE_ESCAPE_SEQUENCE), so
// one frame could stop a whole batch. Each lone surrogate becomes U+FFFD, as a UTF-8 decoder
// does with bad bytes: the frame keeps its other data, and the repaired string is still a
// string of the same shape (a pseudonym is computed over the repaired text).

export interface RepairResult<T> {
  value: T
  /** Strings (values or property names) that had lone surrogates. */
  repaired: number
}

/** Deeper than any valid frame; a guard for the recursion, not a frame rule. */
const maxDepth = 64

export function repairStrings<T>(value: T): RepairResult<T> {
  let repaired = 0
  const visit = (node: unknown, depth = 0): unknown => {
    if (depth > maxDepth) throw new RangeError(`the frame nests deeper than ${maxDepth} levels`)
    if (typeof node === 'string') {
      if (node.isWellFormed()) return node
      repaired += 1
      return node.toWellFormed()
    }
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) node[i] = visit(node[i], depth + 1)
      return node
    }
    if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>
      for (const key of Object.keys(record)) {
        const child = visit(record[key], depth + 1)
        if (key.isWellFormed()) {
          record[key] = child
        } else {
          repaired += 1
          delete record[key]
          record[key.toWellFormed()] = child
        }
      }
    }
    return node
  }
  return { value: visit(value) as T, repaired }
}

// The same bounds for JSON frames as msgpackShapeProblem sets for msgpack: nested at most
// `maxDepth` deep and at most `maxElements` values. JSON has no references, so its size
// already bounds the work; the depth bound is what keeps a valid-looking frame with a
// 100,000-deep field from being acked and then refused later (the processor's walks recurse).
import { defaultShapeLimits, type ShapeLimits } from './msgpack-shape.ts'

/** Undefined when the parsed value is within the bounds, else why not. Iterative: no recursion. */
export function jsonShapeProblem(value: unknown, limits: ShapeLimits = defaultShapeLimits): string | undefined {
  const stack: [unknown, number][] = [[value, 0]]
  let elements = 0
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (++elements > limits.maxElements) return `the frame has more than ${limits.maxElements} values`
    if (node === null || typeof node !== 'object') continue
    if (depth >= limits.maxDepth) return `the frame nests deeper than ${limits.maxDepth} levels`
    const children = Array.isArray(node) ? node : Object.values(node)
    for (const child of children) stack.push([child, depth + 1])
  }
  return undefined
}

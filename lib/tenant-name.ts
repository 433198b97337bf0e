// A tenant's name: lower-case letters, digits, `-` and `_`, at most 63, starting with a letter or
// digit. One definition for every place that takes one (config, policy, routes, the CLI, keys read
// from JetStream): it is also a safe NATS subject token and KV key (no dots, no wildcards).
export const tenantNamePattern = '^[a-z0-9][a-z0-9_-]{0,62}$'
const tenantName = new RegExp(tenantNamePattern)

export const isTenantName = (value: unknown): boolean => typeof value === 'string' && tenantName.test(value)

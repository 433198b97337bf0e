#!/usr/bin/env node
// The package's `callmask` executable (`npx callmask ...`): TypeScript through tsx, as npm start.
import { register } from 'tsx/esm/api'

register()
await import('./callmask.ts')

import { detectNames } from './processor/pii/name-detector.ts'
for (const s of process.argv.slice(2)) console.log(s, JSON.stringify(detectNames(s)))

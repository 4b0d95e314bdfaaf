#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=2
// The `appliance` executable: runs the TypeScript sources through tsx's loader (no build step).
// The #! line gives the box its runtime flags and environment (appliance/system/runtime.ts).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../appliance/cli.ts');
process.exitCode = await main(process.argv.slice(2));

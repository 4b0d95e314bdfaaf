#!/usr/bin/env node
// The `appliance` executable: runs the TypeScript sources through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../appliance/cli.ts');
process.exitCode = await main(process.argv.slice(2));

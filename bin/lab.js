#!/usr/bin/env node
// Entry point of the `lab` command: the compiled CLI (npm ci / npm run build make dist/).
// It exits when the command is done: a library's leftover timer or socket (an SSH keepalive,
// say) must never keep a finished `lab test` alive.
import { main } from '../dist/lab/cli/main.js';

process.exit(await main(process.argv));

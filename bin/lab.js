#!/usr/bin/env node
// Entry point of the `lab` command: the compiled CLI (npm ci / npm run build make dist/).
import { main } from '../dist/lab/cli/main.js';

process.exitCode = await main(process.argv);

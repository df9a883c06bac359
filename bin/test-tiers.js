#!/usr/bin/env node
// Runs the test tiers in order — unit, then vm (real QEMU VMs) — and stops at the first tier
// that fails, so a failure says where it broke. Ends with the line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const tiers = (process.env.LAB_TEST_TIERS ?? 'unit,vm').split(',').filter(Boolean);
let passed = 0;
let failed = 0;
let skipped = 0;
let exitCode = 0;
mkdirSync('results', { recursive: true });

for (const tier of tiers) {
  const report = `results/vitest-${tier}.json`;
  console.log(`\n=== tier ${tier} ===`);
  const run = spawnSync(
    'npx',
    ['vitest', 'run', '--project', tier, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    { stdio: 'inherit', env: { ...process.env, NO_COLOR: '1' } },
  );
  let counts = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numFailedTestSuites: 0 };
  try {
    counts = JSON.parse(readFileSync(report, 'utf8'));
  } catch {
    counts.numFailedTestSuites = 1; // vitest died before writing its report
  }
  passed += counts.numPassedTests;
  // A file that fails to load counts as a failed suite, not a failed test: count it too.
  const tierFailed = counts.numFailedTests + (counts.numFailedTests === 0 ? counts.numFailedTestSuites : 0);
  failed += tierFailed;
  skipped += counts.numPendingTests;
  console.log(`tier ${tier}: ${counts.numPassedTests} passed, ${tierFailed} failed`);
  if (run.status !== 0 || tierFailed > 0) {
    exitCode = 1;
    console.log(`tier ${tier} failed: later tiers not run`);
    break;
  }
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(exitCode);

#!/usr/bin/env node
// Runs the test tiers in order: static (types, lint, shell scripts), unit (TypeScript), guest (the Go init),
// vm (real QEMU VMs), cni (multus and the CNI plugins in VMs). Stops at the first tier that fails, so a failure says where it broke.
// Ends with the line "N passed, N failed" (LAB_TEST_TIERS=unit,vm runs a subset).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const tiers = (process.env.LAB_TEST_TIERS ?? 'static,unit,guest,vm,cni').split(',').filter(Boolean);
let passed = 0;
let failed = 0;
let skipped = 0;
let exitCode = 0;
mkdirSync('results', { recursive: true });

/** go test -json events → counts of the guest init's Go tests (not of packages). */
function runGoTier() {
  const run = spawnSync('go', ['test', '-json', './...'], { cwd: 'images/lab-init', encoding: 'utf8', maxBuffer: 64 << 20 });
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const line of (run.stdout ?? '').split('\n')) {
    if (!line.startsWith('{')) continue;
    const event = JSON.parse(line);
    if (event.Action === 'output' && /^(--- FAIL|FAIL|panic:|ok )/.test(event.Output ?? '')) process.stdout.write(event.Output);
    if (!event.Test) continue;
    if (event.Action === 'pass') counts.passed++;
    else if (event.Action === 'fail') counts.failed++;
    else if (event.Action === 'skip') counts.skipped++;
  }
  if (run.status !== 0 && counts.failed === 0) {
    process.stdout.write(run.stderr ?? '');
    counts.failed = 1; // build failure: no test event, still a failure
  }
  return { ...counts, ok: run.status === 0 };
}

/** Type check and lint: each is one check that passes or fails. */
function runStaticTier() {
  const counts = { passed: 0, failed: 0, skipped: 0, ok: true };
  for (const script of ['typecheck', 'lint', 'shellcheck']) {
    const run = spawnSync('npm', ['run', '--silent', script], { stdio: 'inherit' });
    console.log(`${script}: ${run.status === 0 ? 'ok' : 'FAILED'}`);
    if (run.status === 0) counts.passed++;
    else {
      counts.failed++;
      counts.ok = false;
    }
  }
  return counts;
}

function runVitestTier(tier) {
  const report = `results/vitest-${tier}.json`;
  const run = spawnSync(
    'npx',
    ['vitest', 'run', '--project', tier, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    { stdio: 'inherit', env: { ...process.env, NO_COLOR: '1' } },
  );
  let json = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numFailedTestSuites: 0 };
  try {
    json = JSON.parse(readFileSync(report, 'utf8'));
  } catch {
    json.numFailedTestSuites = 1; // vitest died before writing its report
  }
  // A file that fails to load counts as a failed suite, not a failed test: count it too.
  const failedCount = json.numFailedTests + (json.numFailedTests === 0 ? json.numFailedTestSuites : 0);
  return { passed: json.numPassedTests, failed: failedCount, skipped: json.numPendingTests, ok: run.status === 0 };
}

for (const tier of tiers) {
  console.log(`\n=== tier ${tier} ===`);
  const result = tier === 'static' ? runStaticTier() : tier === 'guest' ? runGoTier() : runVitestTier(tier);
  passed += result.passed;
  failed += result.failed;
  skipped += result.skipped;
  console.log(`tier ${tier}: ${result.passed} passed, ${result.failed} failed`);
  if (!result.ok || result.failed > 0) {
    exitCode = 1;
    console.log(`tier ${tier} failed: later tiers not run`);
    break;
  }
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(exitCode);

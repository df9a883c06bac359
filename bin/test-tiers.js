#!/usr/bin/env node
// Runs the test tiers in order: static (types, lint, shell scripts), unit (TypeScript), guest (our Go programs that run in VMs),
// vm (real QEMU VMs), cni (multus and the CNI plugins in VMs), k8s (docs/tutorial.md run as written:
// Kubernetes, multus and their scenarios). Stops at the first tier that fails, so a failure says where it broke.
// Ends with the line "N passed, N failed" (LAB_TEST_TIERS=unit,vm runs a subset).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const tiers = (process.env.LAB_TEST_TIERS ?? 'static,unit,guest,vm,cni,k8s').split(',').filter(Boolean);
let passed = 0;
let failed = 0;
let skipped = 0;
let exitCode = 0;
mkdirSync('results', { recursive: true });

// Our Go programs that run in the guest: the init, and the multus overlay's pod-cache.
const GO_MODULES = ['images/lab-init', 'overlays/multus-thin/pod-cache'];

/** go test -json events → counts of the Go tests (not of packages), over every module. */
function runGoTier() {
  const total = { passed: 0, failed: 0, skipped: 0, ok: true };
  for (const dir of GO_MODULES) {
    const counts = runGoTests(dir);
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
    total.ok &&= counts.ok;
  }
  return total;
}

function runGoTests(cwd) {
  const run = spawnSync('go', ['test', '-json', './...'], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
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

/** Type check, lint, shellcheck (one check each), then the repository checks of test/static. */
function runStaticTier() {
  const counts = { passed: 0, failed: 0, skipped: 0, ok: true };
  const repoChecks = runVitestTier('static');
  counts.passed += repoChecks.passed;
  counts.failed += repoChecks.failed;
  counts.ok = repoChecks.ok;
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

// Global setup for the unit and vm tiers: a run that leaves a lab-* file or directory in the
// system's temp dir fails, naming it ("nothing left behind on the host" as a check that can fail).
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';

const ours = () => new Set(readdirSync(tmpdir()).filter((entry) => entry.startsWith('lab')));

export default function setup(): () => void {
  const before = ours();
  return () => {
    const left = [...ours()].filter((entry) => !before.has(entry));
    if (left.length === 0) return;
    // vitest reports an error thrown here but still exits 0: set the exit code ourselves.
    console.error(`FAIL tests left behind in ${tmpdir()}: ${left.join(', ')}`);
    process.exitCode = 1;
  };
}

// One word for where a lab stands, from its state file and which of its QEMUs live: what
// `lab list` shows and what a person decides on (use it, stop it, clean it).

export type LabCondition = 'running' | 'starting' | 'stopping' | 'failed' | 'dead' | 'partly alive';

/**
 * `running` only when the state says so and every VM's QEMU lives; a lab whose QEMUs all died
 * (killed, host restarted) is `dead`, one with some of them left `partly alive`. A start or a
 * stop in progress keeps its phase.
 */
export function labCondition(phase: string, vmsRunning: number, vmsTotal: number): LabCondition {
  if (phase === 'starting' || phase === 'stopping') return phase;
  if (vmsTotal > 0 && vmsRunning === 0) return 'dead';
  if (vmsRunning < vmsTotal) return 'partly alive';
  return phase === 'failed' ? 'failed' : 'running';
}

/** What to do about a lab in that condition, for the list's last column. */
export function conditionHint(condition: LabCondition, name: string): string {
  switch (condition) {
    case 'dead':
    case 'partly alive':
    case 'failed':
      return `lab clean --name ${name}`;
    default:
      return '';
  }
}

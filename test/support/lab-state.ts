// A state file's content that lab reads back (the schema in lab/lifecycle/state.ts), for tests
// that plant a lab: give what the test is about, the rest is a failed lab with no VMs.
import type { LabState } from '../../lab/lifecycle/state.js';

export function labStateFixture(name: string, dir: string, fields: Partial<LabState> = {}): LabState {
  return {
    version: 1,
    name,
    dir,
    phase: 'failed',
    createdAt: new Date(0).toISOString(),
    ownerPid: 0,
    config: {} as LabState['config'],
    plan: { nodes: [] } as unknown as LabState['plan'],
    overlays: [],
    vms: [],
    timings: {},
    ...fields,
  };
}

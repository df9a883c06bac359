// When side-by-side labs would need more vCPUs than the host has, lab test --suite says so.
import { describe, expect, it } from 'vitest';
import { listScenarioNames } from '../../lab/scenario/load.js';
import { oversubscriptionWarning, suiteScenarios } from '../../lab/scenario/suite.js';

describe('suiteScenarios', () => {
  it('nightly is every scenario; cni those whose overlays (with their deps) lack Kubernetes', async () => {
    const all = await listScenarioNames();
    expect(await suiteScenarios('nightly')).toEqual(all);
    const cni = await suiteScenarios('cni');
    expect(cni).toEqual(expect.arrayContaining(['multinet', 'cni-multus']));
    expect(cni).not.toContain('multus');
    expect(cni).not.toContain('k8s');
    expect(cni.every((n) => all.includes(n))).toBe(true);
  });

  it('an unknown suite is a usage error naming the suites there are', async () => {
    await expect(suiteScenarios('weekly')).rejects.toThrow(/unknown suite "weekly"/);
  });
});

describe('oversubscriptionWarning', () => {
  it('stays quiet when labs run one at a time, however large', () => {
    expect(oversubscriptionWarning([4, 4, 4], 1, 2)).toBeUndefined();
  });

  it('stays quiet when the busiest labs together fit the host', () => {
    expect(oversubscriptionWarning([4, 2, 4, 2], 2, 8)).toBeUndefined();
  });

  it('counts the busiest `parallel` labs, and names the vCPUs and host CPUs', () => {
    expect(oversubscriptionWarning([2, 4, 1, 4], 2, 6)).toBe(
      '--parallel 2: up to 8 vCPUs at once on 6 host CPU(s); the labs will slow each other down ' +
        'and the suite may take longer than with --parallel 1',
    );
  });

  it('counts every lab when parallel exceeds the number of labs', () => {
    expect(oversubscriptionWarning([1, 1], 4, 2)).toBeUndefined();
    expect(oversubscriptionWarning([2, 1], 4, 2)).toContain('up to 3 vCPUs');
  });
});

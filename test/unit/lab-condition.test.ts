// Where a lab stands, from its phase and how many of its QEMUs live.
import { describe, expect, it } from 'vitest';
import { conditionHint, labCondition } from '../../lab/lifecycle/condition.js';

describe('labCondition', () => {
  it.each([
    ['running', 2, 2, 'running'],
    ['running', 0, 2, 'dead'],
    ['running', 1, 2, 'partly alive'],
    ['failed', 0, 2, 'dead'],
    ['failed', 2, 2, 'failed'],
    ['starting', 0, 2, 'starting'],
    ['stopping', 1, 2, 'stopping'],
  ])('phase %s with %i of %i VMs up is %s', (phase, up, total, condition) => {
    expect(labCondition(phase, up, total)).toBe(condition);
  });

  it('says how to clean a lab that cannot be used, and nothing for one that can', () => {
    expect(conditionHint('dead', 'a')).toBe('lab clean --name a');
    expect(conditionHint('partly alive', 'a')).toBe('lab clean --name a');
    expect(conditionHint('running', 'a')).toBe('');
  });
});

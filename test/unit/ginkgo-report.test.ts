// Ginkgo's JSON report as Kubernetes' e2e.test writes it → the cases of lab's reports.
import { describe, expect, it } from 'vitest';
import { ginkgoCases } from '../../lab/report/ginkgo.js';

const spec = (text: string, state: string, extra: Record<string, unknown> = {}) => ({
  ContainerHierarchyTexts: ['[sig-network] DNS'],
  LeafNodeText: text,
  LeafNodeType: 'It',
  State: state,
  RunTime: 2_500_000_000,
  ...extra,
});

describe('ginkgoCases', () => {
  it('names each spec that ran as Kubernetes does, with its time and failure', () => {
    const report = JSON.stringify([
      {
        SuiteDescription: 'Kubernetes e2e suite',
        SpecReports: [
          { LeafNodeType: 'SynchronizedBeforeSuite', State: 'passed', RunTime: 1 },
          spec('should provide DNS for the cluster [Conformance]', 'passed'),
          spec('should provide DNS for services [Conformance]', 'failed', {
            Failure: { Message: 'timed out waiting for the condition' },
          }),
          spec('filtered out by focus', 'skipped'),
          spec('took too long', 'timedout', { Failure: null }),
        ],
      },
    ]);
    expect(ginkgoCases(report)).toEqual([
      {
        name: '[sig-network] DNS should provide DNS for the cluster [Conformance]',
        status: 'passed',
        durationMs: 2500,
      },
      {
        name: '[sig-network] DNS should provide DNS for services [Conformance]',
        status: 'failed',
        durationMs: 2500,
        failure: 'failed: timed out waiting for the condition',
      },
      { name: '[sig-network] DNS took too long', status: 'failed', durationMs: 2500, failure: 'timedout:' },
    ]);
  });

  it('refuses a file that is not a Ginkgo report', () => {
    expect(() => ginkgoCases('{"not": "a report"}')).toThrow();
    expect(() => ginkgoCases('no json')).toThrow();
  });
});

// Ginkgo's JSON report (--ginkgo.json-report, Ginkgo v2), as Kubernetes' e2e.test writes it,
// turned into the cases lab's reports show: each spec that ran, named as Kubernetes names it.
import { z } from 'zod';
import type { ReportedCase } from '../scenario/define.js';

const specSchema = z.object({
  ContainerHierarchyTexts: z.array(z.string()).nullish(),
  LeafNodeText: z.string().default(''),
  LeafNodeType: z.string(),
  State: z.string(),
  /** Nanoseconds. */
  RunTime: z.number().default(0),
  Failure: z
    .object({ Message: z.string().default('') })
    .partial()
    .nullish(),
});
const reportSchema = z.array(
  z.object({ SuiteDescription: z.string().default(''), SpecReports: z.array(specSchema).nullish() }),
);

const FAILED = new Set(['failed', 'panicked', 'interrupted', 'aborted', 'timedout']);

/** The specs that ran (or failed to), in report order; specs filtered out by focus/skip are left out. */
export function ginkgoCases(json: string): ReportedCase[] {
  const reports = reportSchema.parse(JSON.parse(json));
  const cases: ReportedCase[] = [];
  for (const report of reports)
    for (const spec of report.SpecReports ?? []) {
      if (spec.LeafNodeType !== 'It' || spec.State === 'skipped' || spec.State === 'pending') continue;
      const name = [...(spec.ContainerHierarchyTexts ?? []), spec.LeafNodeText].filter(Boolean).join(' ');
      const failed = FAILED.has(spec.State);
      cases.push({
        name,
        status: failed ? 'failed' : 'passed',
        durationMs: Math.round(spec.RunTime / 1e6),
        ...(failed ? { failure: `${spec.State}: ${spec.Failure?.Message ?? ''}`.trim() } : {}),
      });
    }
  return cases;
}

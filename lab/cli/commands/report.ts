// lab report merge: one report from the results folders of several runs (CI shards).
import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { mergeRuns } from '../../report/merge.js';

export function addReportCommand(program: Command): void {
  const report = program.command('report').summary('work with the results of lab test runs');
  report
    .command('merge')
    .summary(
      'merge the results folders of several runs (CI shards) into one junit.xml, results.json, report.html',
    )
    .description(
      "Reads each folder's results.json (as lab test --results writes it), checks that no scenario " +
        'is in two of them, and writes one run into -o: every scenario with where it ran, the summary ' +
        "over all, the longest run's wall time. Log tails of failed scenarios come from each " +
        'folder\'s logs/. Ends with the line "N passed, N failed" and exits 1 when a scenario failed.',
    )
    .argument('<dirs...>', 'results folders, e.g. one per shard')
    .requiredOption('-o, --output <dir>', 'where the merged reports go')
    .action(async (dirs, flags) => {
      const merged = await mergeRuns(
        dirs.map((d) => resolve(d)),
        resolve(flags.output),
      );
      console.log(`merged ${dirs.length} run(s) into ${resolve(flags.output)} (open ${merged.report})`);
      console.log(merged.summary);
      if (merged.failed) process.exitCode = 1;
    });
}

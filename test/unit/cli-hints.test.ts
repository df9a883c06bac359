// The "next:" hints after lab start must run as printed, for the default lab and a named one.
import { describe, expect, it } from 'vitest';
import { withLabName } from '../../lab/cli/options.js';

describe('withLabName', () => {
  it('leaves commands for the default lab as they are', () => {
    expect(withLabName('lab kubectl exec alpine -- ip -br addr', 'default')).toBe(
      'lab kubectl exec alpine -- ip -br addr',
    );
  });

  it('puts --name right after the subcommand, never among the arguments after --', () => {
    expect(
      [
        'lab kubectl exec alpine -- ip -br addr',
        'lab ssh vm-001 ip -br addr',
        'lab test multus --no-start',
        'lab stop',
      ].map((c) => withLabName(c, 'pb')),
    ).toEqual([
      'lab kubectl --name pb exec alpine -- ip -br addr',
      'lab ssh --name pb vm-001 ip -br addr',
      'lab test --name pb multus --no-start',
      'lab stop --name pb',
    ]);
  });
});

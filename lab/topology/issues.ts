// Turns a zod failure into the one line a user needs: where, which field, what is wrong.
import type { z } from 'zod';
import { UsageError } from '../util/errors.js';

export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field "${issue.keys.join('", "')}"`;
  return issue.message;
}

/** `where` is a file name (optionally with :line:col) or a source such as "environment". */
export function usageErrorFromZod(
  error: z.ZodError,
  where: string,
  locate?: (path: readonly PropertyKey[]) => string | undefined,
): UsageError {
  const issue = error.issues[0];
  if (!issue) return new UsageError(`${where}: invalid`);
  // Unknown keys are reported on the object that holds them; name the key itself.
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
  const position = locate?.(path);
  const field = fieldPath(path) || '(top level)';
  return new UsageError(`${position ?? where}: ${field}: ${describeIssue(issue)}`);
}

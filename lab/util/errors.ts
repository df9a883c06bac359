// Errors a user can act on. The CLI prints `message` (and `hint`) on one line each, never a stack.

/** Exit codes: 1 = something failed while running, 2 = the input was wrong. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class LabError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode: number = EXIT_FAILURE,
    /** The error underneath (kept for --debug and reports): `cause` as Error has it. */
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'LabError';
  }
}

/** Bad input (a flag, a topology file, a scenario name): exit code 2. */
export class UsageError extends LabError {
  constructor(message: string, hint?: string) {
    super(message, hint, EXIT_USAGE);
    this.name = 'UsageError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A LabError as the CLI prints it: what failed, then how to fix it. */
export function writeLabError(err: LabError): void {
  process.stderr.write(`lab: ${err.message}\n`);
  if (err.hint) process.stderr.write(`  hint: ${err.hint}\n`);
}

// Progress of a long `go build -v`: it names each package as it compiles it (cached ones are
// not named), so the lines counted against `go list -deps` say how far a cold build of
// Kubernetes is (~9 minutes under one line before). A line every PROGRESS_MS, whether or not a
// package finished (linking kube-apiserver alone takes a while), so nobody stares at silence.
export const PROGRESS_MS = 20_000;

/** Whether a `go build -v` stderr line names a package (not an error or a download). */
export function isPackageLine(line: string): boolean {
  return /^[A-Za-z0-9_.~-]+(\/[A-Za-z0-9_.~+-]+)*$/.test(line.trim()) && !line.startsWith('go:');
}

export class GoBuildProgress {
  #compiled = 0;
  #last = '';

  constructor(
    private readonly what: string,
    /** Packages the build needs (go list -deps); cached ones are never named, so an upper bound. */
    public total: number | undefined,
    private readonly started: number,
    private readonly now: () => number = Date.now,
  ) {}

  onLine(line: string): void {
    if (!isPackageLine(line)) return;
    this.#compiled++;
    this.#last = line.trim();
  }

  line(): string {
    const elapsed = Math.round((this.now() - this.started) / 1000);
    const clock = `${Math.floor(elapsed / 60)}m${String(elapsed % 60).padStart(2, '0')}s`;
    const of = this.total ? ` of ≤${this.total}` : '';
    const last = this.#last ? `, last ${this.#last}` : '';
    // go test -c names no packages: then only the time says that it moves.
    return this.#compiled === 0
      ? `${this.what}: ${clock}, compiling`
      : `${this.what}: ${clock}, ${this.#compiled}${of} packages compiled${last}`;
  }
}

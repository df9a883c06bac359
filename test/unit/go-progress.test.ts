// A cold Go build's progress line: packages compiled (counted from go build -v's stderr) of the
// go list -deps bound, the last one, and the elapsed time; error and download lines not counted.
import { describe, expect, it } from 'vitest';
import { GoBuildProgress, isPackageLine } from '../../lab/artifacts/providers/go-progress.js';

describe('go build progress', () => {
  it('counts package lines only', () => {
    expect(isPackageLine('k8s.io/kubernetes/pkg/kubelet')).toBe(true);
    expect(isPackageLine('internal/abi')).toBe(true);
    expect(isPackageLine('runtime')).toBe(true);
    expect(isPackageLine('go: downloading k8s.io/api v0.34.2')).toBe(false);
    expect(isPackageLine('# k8s.io/kubernetes/cmd/kubelet')).toBe(false);
    expect(isPackageLine('./main.go:12:2: undefined: x')).toBe(false);
    expect(isPackageLine('')).toBe(false);
  });

  it('says how far the build is and how long it has run', () => {
    let now = 0;
    const p = new GoBuildProgress('go build of 5 commands @v1.34.2', 2400, 0, () => now);
    now = 12_000;
    expect(p.line()).toBe('go build of 5 commands @v1.34.2: 0m12s, compiling');
    for (const line of ['runtime', 'go: downloading x v1', 'k8s.io/api/core/v1']) p.onLine(line);
    now = 192_000;
    expect(p.line()).toBe(
      'go build of 5 commands @v1.34.2: 3m12s, 2 of ≤2400 packages compiled, last k8s.io/api/core/v1',
    );
  });

  it('leaves the bound out when go list could not give one', () => {
    const p = new GoBuildProgress('go build', undefined, 0, () => 61_000);
    p.onLine('errors');
    expect(p.line()).toBe('go build: 1m01s, 1 packages compiled, last errors');
  });
});

// Which accelerator to use. /dev/kvm existing proves nothing (on nested setups a kernel
// hangs under KVM, or QEMU aborts on an MSR), so the probe boots the lab's own kernel to
// its init with a timeout. The verdict is cached per host boot and kernel.
import { constants } from 'node:fs';
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Accel } from '../topology/schema.js';
import { LabError } from '../util/errors.js';
import { cacheDir } from '../util/paths.js';
import { type AccelChoice, accelArgs } from './qemu-args.js';

export const PROBE_MARKER = 'LAB-PROBE-OK';
export const PROBE_TIMEOUT_MS = 10_000;
/** Tried in order; the first that boots wins. */
export const KVM_CPUS = ['host', 'host,-arch-capabilities'];
/**
 * Under TCG, a CPU model without AVX/XSAVE (x86-64-v2, more than Debian and Go binaries need).
 * With `-cpu max` (QEMU 7.2's new AVX2 emulation, which glibc then uses) one guest kernel
 * panic in self-patched code was seen under host load, once; a stress run of 18 labs did not
 * reproduce it with either model, so this is the cautious choice, not a proven fix.
 * LAB_TCG_CPU overrides it.
 */
export const TCG_CPU = process.env.LAB_TCG_CPU ?? 'Nehalem';

export interface AccelVerdict extends AccelChoice {
  reason: string;
  requested: Accel;
}

async function kvmUsable(): Promise<string | undefined> {
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'there is no /dev/kvm'
      : 'no read/write access to /dev/kvm (add yourself to the kvm group)';
  }
}

/** QEMU arguments of a probe boot: kernel + initramfs with `lab.probe`, console on stdio. */
export function probeArgs(choice: AccelChoice, kernel: string, initramfs: string, smp = 1): string[] {
  return [
    '-machine',
    'q35',
    ...accelArgs(choice),
    '-m',
    '256',
    '-smp',
    String(smp),
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-no-reboot',
    '-serial',
    'stdio',
    '-kernel',
    kernel,
    '-initrd',
    initramfs,
    '-append',
    'console=ttyS0 panic=-1 quiet lab.probe',
  ];
}

export type ProbeOutcome = { ok: true; ms: number } | { ok: false; why: string };

/** Boots to the stage-1 marker: how long it took (host wall), or why it did not get there. */
export async function probeBoot(
  choice: AccelChoice,
  kernel: string,
  initramfs: string,
  { smp = 1, timeoutMs = PROBE_TIMEOUT_MS } = {},
): Promise<ProbeOutcome> {
  const started = Date.now();
  const child = execa('qemu-system-x86_64', probeArgs(choice, kernel, initramfs, smp), {
    reject: false,
    timeout: timeoutMs,
    all: true,
  });
  let output = '';
  let ms: number | undefined;
  child.all?.on('data', (chunk: Buffer) => {
    output += chunk.toString(); // the marker may arrive split over two chunks
    if (ms === undefined && output.includes(PROBE_MARKER)) {
      ms = Date.now() - started;
      child.kill('SIGKILL'); // no need to wait for the power-off
    }
  });
  const result = await child;
  if (ms !== undefined) return { ok: true, ms };
  if (result.timedOut) return { ok: false, why: `no init within ${timeoutMs / 1000} s` };
  const lastLine = output.trim().split('\n').pop() ?? '';
  return {
    ok: false,
    why: `qemu exit ${result.exitCode ?? result.signal}${lastLine ? `: ${lastLine.slice(0, 160)}` : ''}`,
  };
}

/** The host kernel's boot id: it changes with every host restart. */
export async function hostBootId(): Promise<string> {
  return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => 'unknown')).trim();
}

/** What the probe found; the TCG CPU model is not part of it (it may change between runs). */
interface CachedVerdict {
  bootId: string;
  kernel: string;
  verdict: { accel: 'kvm'; cpu: string; reason: string } | { accel: 'tcg'; reason: string };
}

/** A damaged cache file is no verdict (the probe runs again), never a crash. */
function parseCachedVerdict(text: string): Partial<CachedVerdict> {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Partial<CachedVerdict>) : {};
  } catch {
    return {};
  }
}

const whyFailed = (outcome: ProbeOutcome | undefined) => (outcome && !outcome.ok ? outcome.why : 'unknown');

export async function chooseAccel(
  requested: Accel,
  kernel: string,
  initramfs: string,
  kernelKey: string,
): Promise<AccelVerdict> {
  const tcg = (reason: string): AccelVerdict => ({ accel: 'tcg', cpu: TCG_CPU, reason, requested });
  if (requested === 'tcg') return tcg('TCG requested');
  const missing = await kvmUsable();
  if (missing) {
    if (requested === 'kvm') throw new LabError(`--accel kvm: ${missing}`, 'use --accel auto or --accel tcg');
    return tcg(`KVM not usable: ${missing}`);
  }
  const cacheFile = join(cacheDir(), 'accel-probe.json');
  const id = await hostBootId();
  const cached = parseCachedVerdict(await readFile(cacheFile, 'utf8').catch(() => '{}'));
  let verdict = cached.bootId === id && cached.kernel === kernelKey ? cached.verdict : undefined;
  if (!verdict) {
    // All candidates at once: a hanging one costs the timeout only once.
    const outcomes = await Promise.all(
      KVM_CPUS.map((cpu) => probeBoot({ accel: 'kvm', cpu }, kernel, initramfs)),
    );
    const winner = outcomes.findIndex((outcome) => outcome.ok);
    verdict =
      winner >= 0
        ? {
            accel: 'kvm',
            cpu: KVM_CPUS[winner] as string,
            reason: `KVM probe booted with -cpu ${KVM_CPUS[winner]}`,
          }
        : {
            accel: 'tcg',
            reason: `KVM probe failed (${KVM_CPUS.map((cpu, i) => `-cpu ${cpu}: ${whyFailed(outcomes[i])}`).join('; ')})`,
          };
    await mkdir(cacheDir(), { recursive: true });
    // Atomic: a start beside this one reads the old file or the new one, never half of one.
    const tmp = `${cacheFile}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify({ bootId: id, kernel: kernelKey, verdict } satisfies CachedVerdict));
    await rename(tmp, cacheFile);
  }
  if (verdict.accel === 'kvm') return { ...verdict, requested };
  if (requested === 'kvm')
    throw new LabError(`--accel kvm: ${verdict.reason}`, 'use --accel auto or --accel tcg');
  return tcg(verdict.reason);
}

// Which accelerator to use. /dev/kvm existing proves nothing (on nested setups a kernel
// hangs under KVM, or QEMU aborts on an MSR), so the probe boots the lab's own kernel to
// its init with a timeout. The verdict is cached per host boot and kernel.
import { constants } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
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
 * With `-cpu max` (QEMU 7.2's new AVX2 emulation, which glibc then uses) two rare guest
 * failures were seen under host load: a kernel panic in self-patched code, and dropbearconvert
 * rejecting a key that converts fine on the next boot. A stress run of 18 labs did not
 * reproduce them with either model, so this is the cautious choice, not a proven fix.
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

/** Boots kernel + initramfs with `lab.probe`; resolves to undefined on success, or why not. */
export async function probeBoot(
  choice: AccelChoice,
  kernel: string,
  initramfs: string,
): Promise<string | undefined> {
  const child = execa(
    'qemu-system-x86_64',
    [
      '-machine',
      'q35',
      ...accelArgs(choice),
      '-m',
      '256',
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
    ],
    { reject: false, timeout: PROBE_TIMEOUT_MS, all: true },
  );
  let seen = false;
  child.all?.on('data', (chunk: Buffer) => {
    if (!seen && chunk.toString().includes(PROBE_MARKER)) {
      seen = true;
      child.kill('SIGKILL'); // no need to wait for the power-off
    }
  });
  const result = await child;
  if (seen) return undefined;
  if (result.timedOut) return `no init within ${PROBE_TIMEOUT_MS / 1000} s`;
  const lastLine =
    String(result.all ?? '')
      .trim()
      .split('\n')
      .pop() ?? '';
  return `qemu exit ${result.exitCode ?? result.signal}${lastLine ? `: ${lastLine.slice(0, 160)}` : ''}`;
}

async function bootId(): Promise<string> {
  return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => 'unknown')).trim();
}

interface CachedVerdict {
  bootId: string;
  kernel: string;
  verdict: AccelChoice & { reason: string };
}

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
  const id = await bootId();
  const cached = JSON.parse(await readFile(cacheFile, 'utf8').catch(() => '{}')) as Partial<CachedVerdict>;
  let verdict = cached.bootId === id && cached.kernel === kernelKey ? cached.verdict : undefined;
  if (!verdict) {
    // All candidates at once: a hanging one costs the timeout only once.
    const failures = await Promise.all(
      KVM_CPUS.map((cpu) => probeBoot({ accel: 'kvm', cpu }, kernel, initramfs)),
    );
    const winner = KVM_CPUS.findIndex((_, i) => failures[i] === undefined);
    verdict =
      winner >= 0
        ? {
            accel: 'kvm',
            cpu: KVM_CPUS[winner] as string,
            reason: `KVM probe booted with -cpu ${KVM_CPUS[winner]}`,
          }
        : {
            accel: 'tcg',
            cpu: TCG_CPU,
            reason: `KVM probe failed (${KVM_CPUS.map((cpu, i) => `-cpu ${cpu}: ${failures[i]}`).join('; ')})`,
          };
    await mkdir(cacheDir(), { recursive: true });
    await writeFile(
      cacheFile,
      JSON.stringify({ bootId: id, kernel: kernelKey, verdict } satisfies CachedVerdict),
    );
  }
  if (requested === 'kvm' && verdict.accel !== 'kvm')
    throw new LabError(`--accel kvm: ${verdict.reason}`, 'use --accel auto or --accel tcg');
  return { ...verdict, requested };
}

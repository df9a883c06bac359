// lab capture on a real lab: the pcap of a VM's NIC holds the ping that crossed it, a whole
// net can be captured for some seconds, and a wrong VM or NIC is a usage error.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileTempDir } from '../support/temp-dir.js';
import { lab } from './helpers.js';

const NAME = 'capture';
const dir = fileTempDir('lab-capture-');

beforeAll(async () => {
  const started = await lab(['start', '--name', NAME, '--nvm', '2']);
  expect(started.exitCode, started.all).toBe(0);
});

afterAll(async () => {
  await lab(['stop', '--name', NAME]);
});

describe('lab capture', () => {
  it("writes the packets crossing a VM's NIC", async () => {
    const file = join(dir, 'eth1.pcap');
    const capture = lab([
      'capture',
      '--name',
      NAME,
      'vm-001',
      'eth1',
      '--count',
      '4',
      '--filter',
      'icmp',
      '-o',
      file,
    ]);
    // tcpdump needs a moment before it sees packets: ping a little longer than needed.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const ping = await lab(['ssh', '--name', NAME, 'vm-002', 'ping', '-c', '6', '-i', '0.5', '192.168.1.1']);
    expect(ping.exitCode, ping.all).toBe(0);
    const done = await capture;
    expect(done.exitCode, done.all).toBe(0);
    expect(done.all).toMatch(/wrote .*eth1\.pcap: 4 packets from vm-001 eth1 \(tap t1-1\)/);
    const read = await execa('tcpdump', ['-n', '-r', file], { reject: false, all: true });
    expect(read.all).toMatch(/192\.168\.1\.2 > 192\.168\.1\.1: ICMP echo request/);
  });

  it('captures a whole net for some seconds', async () => {
    const file = join(dir, 'net0.pcap');
    const done = await lab(['capture', '--name', NAME, '--net', '0', '--seconds', '2', '-o', file]);
    expect(done.exitCode, done.all).toBe(0);
    expect(done.all).toMatch(/wrote .*net0\.pcap: \d+ packets from net 0 \(bridge br0\)/);
    expect(existsSync(file)).toBe(true);
  });

  it('names what is wrong: a VM or NIC the lab does not have', async () => {
    const vm = await lab(['capture', '--name', NAME, 'vm-009', 'eth1']);
    expect(vm.exitCode).toBe(2);
    expect(vm.all).toMatch(/has no VM "vm-009"[\s\S]*VMs: vm-001, vm-002/);
    const nic = await lab(['capture', '--name', NAME, 'vm-001', 'eth7']);
    expect(nic.exitCode).toBe(2);
    expect(nic.all).toMatch(/vm-001 has no NIC "eth7"[\s\S]*NICs: eth0, eth1/);
  });
});

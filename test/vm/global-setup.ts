// Before the VM tier: compile the CLI the tests run, and build the image once, so the first
// test does not pay for it inside its own timeout.
import { execa } from 'execa';

export default async function setup(): Promise<void> {
  await execa('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  await execa('node', ['bin/lab.js', 'overlay', 'show', 'multinet'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

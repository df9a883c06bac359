// Before the CNI tier: compile the CLI, and get the cni overlay's artifacts (a Go build of
// multus on a cold cache takes minutes) outside any test's timeout.
import { execa } from 'execa';

export default async function setup(): Promise<void> {
  await execa('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  await execa('node', ['bin/lab.js', 'overlay', 'show', 'cni'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

// A developer's checkout, as lab start --src and lab deploy --src take one: a module's source
// from the Go module proxy, copied to a writable tree and committed to a fresh git repository
// (so git describe names it, and an edit makes it -dirty).
import { cp } from 'node:fs/promises';
import { run } from '../../lab/util/exec.js';

/** Makes the tree in `dir` (which must not exist); returns its git command for further changes. */
export async function moduleCheckout(
  module: string,
  version: string,
  dir: string,
): Promise<(...args: string[]) => Promise<string>> {
  const downloaded = JSON.parse(
    await run(['go', 'mod', 'download', '-json', `${module}@${version}`], {
      what: `go mod download ${module}@${version}`,
    }),
  ) as { Dir: string };
  await cp(downloaded.Dir, dir, { recursive: true });
  await run(['chmod', '-R', 'u+w', dir]); // the module cache is read-only
  const git = (...args: string[]) =>
    run(['git', '-c', 'user.name=lab', '-c', 'user.email=lab@localhost', ...args], { cwd: dir });
  await git('init', '-q');
  await git('add', '-A');
  await git('commit', '-qm', `${module} ${version} from the module proxy`);
  return git;
}

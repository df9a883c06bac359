// `lab kubectl` sends its arguments through a remote shell: each must arrive as one word.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../lab/util/shell-quote.js';

describe('shellQuote', () => {
  const words = [
    'get',
    '-o',
    'jsonpath={range .items[*]}{.metadata.name} {"\\n"}{end}',
    "it's",
    '$HOME',
    '`id`',
    'a;b|c&d',
    '',
    'spaces  and\ttabs',
  ];

  it('leaves plain words alone', () => {
    expect(shellQuote('get')).toBe('get');
    expect(shellQuote('--kubeconfig=/etc/kubernetes/admin.kubeconfig')).toBe(
      '--kubeconfig=/etc/kubernetes/admin.kubeconfig',
    );
  });

  it('gets every word through a real sh unchanged', async () => {
    const script = `for w in ${words.map(shellQuote).join(' ')}; do printf '%s\\0' "$w"; done`;
    const { stdout } = await execa('sh', ['-c', script], { stripFinalNewline: false });
    expect(stdout.split('\0').slice(0, -1)).toEqual(words);
  });
});

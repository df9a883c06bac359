// The HTML report as a browser sees it: headless Chromium loads the file and dumps the DOM it
// built, so what is checked is what a person would get on screen, not the string we wrote.
// One Chromium run takes about 1.2 s here, hence the longer timeout.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topologySvg } from '../../lab/report/graph.js';
import { htmlReport } from '../../lab/report/html.js';
import { mergeConfig } from '../../lab/topology/config.js';
import { planLab } from '../../lab/topology/plan.js';
import { scenarioResult, stepResult } from './scenario-fixtures.js';

const hasChromium = spawnSync('chromium', ['--version']).status === 0;
const BROWSER_TIMEOUT_MS = 60_000;
const WINDOW = { width: 1200, height: 1600 };

const passing = scenarioResult([stepResult({ name: 'boots', status: 'passed', durationMs: 2000 })], {
  scenario: 'basic',
  description: 'VMs boot',
});
const failing = scenarioResult(
  [
    stepResult({ name: 'boots', status: 'passed', durationMs: 3000 }),
    stepResult({
      name: 'pings',
      status: 'failed',
      durationMs: 800,
      failure: { message: 'ping vm-002: expected exit 0, got 1 <b>100% loss</b>' },
    }),
  ],
  { scenario: 'netcheck', description: 'every VM reaches every other' },
);

/** Runs headless Chromium on `url` with a throwaway profile; returns stdout. */
async function chromium(profile: string, url: string, ...flags: string[]): Promise<string> {
  const { stdout } = await execa(
    'chromium',
    ['--headless=new', '--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`, ...flags, url],
    { timeout: BROWSER_TIMEOUT_MS },
  );
  return stdout;
}

/** The markup of the element whose opening tag carries `id="..."`, up to its closing tag. */
function sectionMarkup(dom: string, id: string): string {
  const match = new RegExp(`<section id="${id}"[^>]*>[\\s\\S]*?</section>`).exec(dom);
  if (!match) throw new Error(`no section #${id} in the DOM`);
  return match[0];
}

const SKIP_REASON = hasChromium ? '' : ' (skipped: `chromium` is not installed; apt-get install chromium)';

describe.skipIf(!hasChromium)(`the HTML report in headless Chromium${SKIP_REASON}`, () => {
  let dir: string;
  let url: string;
  let dom: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lab-report-browser-'));
    const file = join(dir, 'report.html');
    const svg = topologySvg(planLab(mergeConfig([{ name: 'tlab', nvm: 2 }])));
    writeFileSync(
      file,
      htmlReport({
        title: 'lab test results',
        generatedAt: '2024-05-06T07:09:00.000Z',
        scenarios: [
          { result: passing },
          { result: failing, topologySvg: svg, logs: [{ name: 'vm-001 console', tail: 'login:' }] },
        ],
      }),
    );
    url = pathToFileURL(file).href;
    dom = await chromium(join(dir, 'profile'), url, '--dump-dom');
  }, BROWSER_TIMEOUT_MS);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows both scenarios with their status and the totals', () => {
    expect(dom).toContain('<p class="summary">2 passed, 1 failed</p>');
    expect(sectionMarkup(dom, 'scenario-basic')).toMatch(
      /<h2><span class="status">PASSED<\/span> basic<\/h2>/,
    );
    expect(sectionMarkup(dom, 'scenario-netcheck')).toMatch(
      /<h2><span class="status">FAILED<\/span> netcheck<\/h2>/,
    );
  });

  it('shows the failed step as FAILED, its message as text rather than markup', () => {
    const failed = sectionMarkup(dom, 'scenario-netcheck');
    const row = /<li class="step failed" data-status="failed"[^>]*>([\s\S]*?)<\/li>/.exec(failed)?.[1] ?? '';
    expect(row).toContain('<span class="name">pings</span>');
    expect(row).toContain('<span class="status">FAILED</span>');
    expect(row).toContain(
      '<pre class="failure">ping vm-002: expected exit 0, got 1 &lt;b&gt;100% loss&lt;/b&gt;</pre>',
    );
    expect(dom).not.toContain('<b>');
  });

  it('renders the topology as an inline SVG with a box per VM, and the logs of the failure', () => {
    const failed = sectionMarkup(dom, 'scenario-netcheck');
    expect(failed).toMatch(/<figure class="topology">\s*<svg [^>]*data-lab="tlab"/);
    expect(failed.match(/<g class="vm" data-vm="vm-00\d">/g)).toHaveLength(2);
    expect(failed).toContain(
      '<details class="log"><summary>vm-001 console</summary><pre>login:</pre></details>',
    );
    expect(sectionMarkup(dom, 'scenario-basic')).not.toContain('<svg');
  });

  it(
    'takes a screenshot of the page at the window size',
    async () => {
      const png = join(dir, 'report.png');
      await chromium(
        join(dir, 'profile'),
        url,
        `--screenshot=${png}`,
        `--window-size=${WINDOW.width},${WINDOW.height}`,
        '--hide-scrollbars',
      );
      const image = readFileSync(png);
      expect(image.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      // IHDR, the first chunk, holds the width and height right after its type.
      expect([image.readUInt32BE(16), image.readUInt32BE(20)]).toEqual([WINDOW.width, WINDOW.height]);
      expect(image.length).toBeGreaterThan(10_000); // a blank page compresses to far less
    },
    BROWSER_TIMEOUT_MS,
  );
});

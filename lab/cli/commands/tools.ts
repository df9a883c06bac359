// lab doctor | overlay list | overlay show
import type { Command } from '@commander-js/extra-typings';
import { checkHost } from '../../doctor/checks.js';
import { layerContents } from '../../overlay/layer.js';
import { listOverlayNames, loadOverlay } from '../../overlay/registry.js';

export function addToolCommands(program: Command): void {
  program
    .command('doctor')
    .summary('check the host: tools (with the apt package for each), root, KVM')
    .action(async () => {
      const findings = await checkHost();
      for (const f of findings)
        console.log(`${f.ok ? 'ok  ' : 'MISSING'}  ${f.what}${f.fix ? `\n         fix: ${f.fix}` : ''}`);
      const missing = findings.filter((f) => !f.ok);
      console.log(
        missing.length
          ? `\n${missing.length} problem(s); ./setup.sh installs every apt package`
          : '\nall good',
      );
      if (missing.length) process.exitCode = 1;
    });

  const overlay = program.command('overlay').summary('list overlays, or show what one contains');
  overlay
    .command('list')
    .summary('every overlay with its description')
    .action(async () => {
      for (const name of await listOverlayNames()) {
        const { manifest } = await loadOverlay(name);
        console.log(`${name.padEnd(14)} ${manifest.description}`);
      }
    });
  overlay
    .command('show')
    .summary('manifest, boot units and every file of an overlay (builds its layer if needed)')
    .argument('<name>')
    .action(async (name) => {
      const loaded = await loadOverlay(name);
      const { manifest } = loaded;
      console.log(`overlay ${manifest.name}: ${manifest.description}`);
      console.log(`folder:   ${loaded.dir}`);
      console.log(`deps:     ${['base', ...manifest.deps].filter((d) => d !== name).join(', ') || '(none)'}`);
      console.log(`packages: ${manifest.packages.join(', ') || '(none)'}`);
      console.log(`modules:  ${manifest.modules.join(', ') || '(none)'}`);
      console.log('units:');
      for (const unit of manifest.units) {
        console.log(
          `  ${unit.name} (${unit.type}${unit.after.length ? `, after ${unit.after.join(', ')}` : ''}): ${unit.description}`,
        );
      }
      console.log('files:');
      for (const line of await layerContents(loaded)) console.log(`  ${line}`);
    });
}

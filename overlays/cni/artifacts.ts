// Where the CNI overlay's binaries come from. Each artifact has two sources, in order of
// preference; whichever is already in the cache wins (see lab/artifacts/artifact.ts).
import { join } from 'node:path';
import type { ArtifactSpec } from '../../lab/artifacts/artifact.js';
import { debianSource } from '../../lab/artifacts/providers/debian.js';
import { releaseSource } from '../../lab/artifacts/providers/download.js';
import { goModuleSource } from '../../lab/artifacts/providers/go.js';
import { PROJECT_ROOT } from '../../lab/util/paths.js';

export const MULTUS_VERSION = 'v4.3.0';
export const MULTUS_MODULE = 'gopkg.in/k8snetworkplumbingwg/multus-cni.v4';
export const CNI_PLUGINS_MODULE = 'github.com/containernetworking/plugins';

/** How upstream's release build stamps multus, so `multus -version` names what runs. */
export const multusStamps = (version: string, commit: string): Record<string, string> => ({
  [`${MULTUS_MODULE}/pkg/multus.version`]: version,
  [`${MULTUS_MODULE}/pkg/multus.commit`]: commit,
});
const multusRelease = `multus-cni_${MULTUS_VERSION.slice(1)}_linux_amd64`;

/** The thin multus plugin (a CNI plugin binary; no daemon); lab deploy multus builds it from a checkout. */
export const multus = {
  name: 'multus',
  description: 'Multus thin CNI plugin',
  files: ['multus'],
  sources: [
    releaseSource({
      version: MULTUS_VERSION,
      url: `https://github.com/k8snetworkplumbingwg/multus-cni/releases/download/${MULTUS_VERSION}/${multusRelease}.tar.gz`,
      // Not pinned: no machine this was written on could reach the release to read its
      // checksums.txt. Pin it from there to make the release the default source.
      sha256: process.env.LAB_MULTUS_SHA256,
      members: { multus: `${multusRelease}/multus` },
    }),
    goModuleSource({
      version: MULTUS_VERSION,
      buildDir: join(PROJECT_ROOT, 'overlays/cni/multus-build'),
      packages: [`${MULTUS_MODULE}/cmd/multus`],
      stamps: multusStamps(MULTUS_VERSION, 'go-module-proxy'),
    }),
  ],
  checkout: {
    module: MULTUS_MODULE,
    packages: ['./cmd/multus'],
    stamps: (version: string) => multusStamps(version, version),
  },
} satisfies ArtifactSpec;

/** The CNI reference plugins the lab uses (those Debian's package and the release share). */
export const CNI_PLUGINS = [
  'bandwidth',
  'bridge',
  'dhcp',
  'firewall',
  'host-device',
  'host-local',
  'ipvlan',
  'loopback',
  'macvlan',
  'portmap',
  'ptp',
  'sbr',
  'static',
  'tuning',
  'vlan',
  'vrf',
];
const CNI_RELEASE = 'v1.9.1';

/** Where each plugin's main package sits in a containernetworking/plugins checkout. */
const CNI_PLUGIN_DIRS: Record<(typeof CNI_PLUGINS)[number], 'main' | 'ipam' | 'meta'> = {
  bandwidth: 'meta',
  bridge: 'main',
  dhcp: 'ipam',
  firewall: 'meta',
  'host-device': 'main',
  'host-local': 'ipam',
  ipvlan: 'main',
  loopback: 'main',
  macvlan: 'main',
  portmap: 'meta',
  ptp: 'main',
  sbr: 'meta',
  static: 'ipam',
  tuning: 'meta',
  vlan: 'main',
  vrf: 'meta',
};

export const cniPlugins: ArtifactSpec = {
  name: 'cni-plugins',
  description: 'CNI reference plugins',
  files: CNI_PLUGINS,
  sources: [
    debianSource({
      packages: ['containernetworking-plugins'],
      members: Object.fromEntries(CNI_PLUGINS.map((p) => [p, `usr/lib/cni/${p}`])),
    }),
    releaseSource({
      version: CNI_RELEASE,
      url: `https://github.com/containernetworking/plugins/releases/download/${CNI_RELEASE}/cni-plugins-linux-amd64-${CNI_RELEASE}.tgz`,
      sha256: 'b98f74a0f8522f0a83867178729c1aa70f2158f90c45a2ca8fa791db1c76b303',
      members: Object.fromEntries(CNI_PLUGINS.map((p) => [p, p])),
    }),
  ],
  // lab start --src ~/plugins: a developer's plugins instead (the ones the lab uses, all of them).
  checkout: {
    module: CNI_PLUGINS_MODULE,
    packages: CNI_PLUGINS.map((p) => `./plugins/${CNI_PLUGIN_DIRS[p]}/${p}`),
    stamps: (version) => ({
      'github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion': version,
    }),
  },
};

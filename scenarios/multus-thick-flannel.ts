// The multus scenario on the lab seeds 002 and 003 describe: flannel as the default network and
// multus as the thick plugin (multus-daemon as a DaemonSet, multus-shim per pod). Same steps,
// same assertions; only the lab differs.
import { defineScenario } from '../lab/scenario/define.js';
import multus from './multus.js';

export default defineScenario({
  ...multus,
  name: 'multus-thick-flannel',
  description: `${multus.description}; on flannel, multus as the thick plugin (seeds 002, 003)`,
  topology: { ...multus.topology, podNetwork: 'flannel', multus: 'thick' },
  weight: 16, // minutes under TCG: a cold boot with flannel's and multus's DaemonSets, then the steps
});

// multus's default-route with the thin plugin: the fix is a binary copied to the nodes.
import { defaultRouteScenario } from './support/default-route.js';

export default defaultRouteScenario('multus-default-route', 'thin');

// multus's default-route with the thick plugin: the fix is a new daemon image, rolled out.
import { defaultRouteScenario } from './support/default-route.js';

export default defaultRouteScenario('multus-default-route-thick', 'thick');

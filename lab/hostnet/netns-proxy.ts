// A tiny TCP relay run *inside* a lab's namespace with `ip netns exec`: it connects to
// host:port there and shuttles bytes between that socket and its own stdin/stdout. The
// process that spawned it stays in the host's namespace. A failure to connect is reported on
// stderr (e.g. "connect ECONNREFUSED 10.0.0.2:22") so the caller can show it.
import { inNetns } from './netns.js';

const RELAY_SCRIPT = `
const [port, host] = process.argv.slice(1);
const socket = require('node:net').connect(Number(port), host);
socket.on('error', (err) => { process.stderr.write(err.message); process.exit(1); });
socket.on('close', () => process.exit(0));
process.stdin.pipe(socket);
socket.pipe(process.stdout);
`;

/** argv of a relay to host:port inside `netns`. */
export function relayArgv(netns: string, host: string, port: number): string[] {
  return inNetns(netns, [process.execPath, '-e', RELAY_SCRIPT, '--', String(port), host]);
}

// @ts-check
// The lab's two long-lived relays, one file run by node in two roles (lab/hostnet/relay.ts
// starts them; plain JavaScript so that node runs it as it is, from the sources or a package).
//
//   relay-daemon.mjs serve NETNS SOCKET INFO
//     Run inside the lab's namespace (ip netns exec). Listens on the unix socket SOCKET in the
//     lab's directory; each client writes one line "HOST PORT", the relay connects to it from
//     inside the namespace and answers "ok" (then the bytes flow both ways) or "error MESSAGE".
//     Unix sockets are files, not addresses: the host's processes reach it, nothing else does.
//
//   relay-daemon.mjs forward NETNS SOCKET HOST:PORT INFO
//     Run in the host's namespace. Listens on 127.0.0.1:<free port> and hands each connection
//     to the relay above for HOST:PORT (the API server, for instance).
//
// Each writes INFO (JSON: pid, and port or socket) once it listens, and exits by itself once
// the namespace is gone, so even a crashed start leaves none behind.
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

const [role, netns, socketPath, ...rest] = process.argv.slice(2);

/** @param {object} info */
function announce(infoFile, info) {
  writeFileSync(`${infoFile}.tmp`, JSON.stringify({ pid: process.pid, ...info }));
  renameSync(`${infoFile}.tmp`, infoFile);
}

// Half-open both ways: a client that ends its side still gets the rest of the reply.
/** @param {import('node:net').Socket} a @param {import('node:net').Socket} b */
function splice(a, b) {
  a.pipe(b);
  b.pipe(a);
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
}

/** The relay's side of a client: read "HOST PORT\n", connect, answer, splice. */
function serveClient(client) {
  let head = Buffer.alloc(0);
  const onData = (chunk) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf(10);
    if (end < 0) {
      if (head.length > 512) client.destroy();
      return;
    }
    client.off('data', onData);
    client.pause();
    const [host, port] = head.subarray(0, end).toString('utf8').trim().split(' ');
    const early = head.subarray(end + 1);
    const target = connect({ host, port: Number(port), allowHalfOpen: true });
    target.once('error', (err) => {
      if (client.destroyed) return;
      client.end(`error ${err.message}\n`);
    });
    target.once('connect', () => {
      client.write('ok\n');
      if (early.length > 0) target.write(early);
      splice(client, target);
      client.resume();
    });
  };
  client.on('data', onData);
  client.on('error', () => {});
}

/** The forward's side of a connection: ask the relay for the target, then splice. */
function forwardClient(socket, target) {
  socket.pause();
  const relay = connect(socketPath);
  relay.on('error', () => socket.destroy());
  // The relay gone before it answered (the lab stopping): the client's connection goes too.
  relay.on('close', () => socket.destroy());
  relay.write(`${target.replace(/:(\d+)$/, ' $1')}\n`);
  let head = Buffer.alloc(0);
  const onData = (chunk) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf(10);
    if (end < 0) return;
    relay.off('data', onData);
    if (!head.subarray(0, end).toString('utf8').startsWith('ok')) {
      socket.destroy();
      relay.destroy();
      return;
    }
    if (end + 1 < head.length) socket.write(head.subarray(end + 1));
    splice(socket, relay);
    socket.resume();
  };
  relay.on('data', onData);
  socket.on('error', () => relay.destroy());
}

let server;
if (role === 'serve') {
  const [infoFile] = rest;
  rmSync(socketPath, { force: true });
  server = createServer({ allowHalfOpen: true }, serveClient);
  server.listen(socketPath, () => announce(infoFile, { socket: socketPath }));
} else if (role === 'forward') {
  const [target, infoFile] = rest;
  server = createServer({ allowHalfOpen: true }, (socket) => forwardClient(socket, target));
  server.listen(0, '127.0.0.1', () => announce(infoFile, { port: server.address().port, target }));
} else {
  process.stderr.write(`relay-daemon: unknown role ${role}\n`);
  process.exit(2);
}
server.on('error', (err) => {
  process.stderr.write(`relay-daemon ${role}: ${err.message}\n`);
  process.exit(1);
});
setInterval(() => {
  if (!existsSync(`/run/netns/${netns}`)) process.exit(0);
}, 2000).unref();

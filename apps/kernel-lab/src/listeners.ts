/**
 * Agent side: the listeners that stand in for endpoints. Each answers every TCP connection and
 * every UDP datagram with one {@link ListenerAnswer} line saying where it was reached and who the
 * peer was — that is how a probe learns the DNAT target and whether the source was masqueraded.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import type { ListenerAnswer, ListenerWhere } from './agent-protocol';
import type { LabListener } from './lab-types';

/** Open listeners, so they can be closed. */
export type OpenListener = Server | UdpSocket;

function answer(a: ListenerAnswer): string {
  return `${JSON.stringify(a)}\n`;
}

function listenTcp(l: LabListener, where: ListenerWhere): Promise<Server> {
  const server = createServer((conn) => {
    // The prober resets the connection once it has the line; that error is expected.
    conn.on('error', () => undefined);
    conn.end(
      answer({ endpoint: `${conn.localAddress}:${conn.localPort}`, peer: conn.remoteAddress ?? '?', where }),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: l.ip, port: l.port, backlog: 1024 }, () => {
      server.off('error', reject);
      server.on('error', () => undefined);
      resolve(server);
    });
  });
}

function listenUdp(l: LabListener, where: ListenerWhere): Promise<UdpSocket> {
  const sock = createSocket({ type: 'udp4', reuseAddr: false });
  // Node cannot tell which local address a datagram reached on a wildcard socket, so a 0.0.0.0
  // listener reports 0.0.0.0:port; bind specific addresses where that matters.
  const endpoint = `${l.ip}:${l.port}`;
  sock.on('message', (_msg, rinfo) => {
    sock.send(answer({ endpoint, peer: rinfo.address, where }), rinfo.port, rinfo.address);
  });
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind({ address: l.ip, port: l.port }, () => {
      sock.off('error', reject);
      // An answer can meet an ICMP error on its way back; the listener must survive that.
      sock.on('error', () => undefined);
      resolve(sock);
    });
  });
}

/** Starts one listener per entry; rejects (naming the listener) if any cannot bind. */
export async function startListeners(
  listeners: readonly LabListener[],
  where: ListenerWhere,
): Promise<OpenListener[]> {
  return Promise.all(
    listeners.map((l) =>
      (l.proto === 'tcp' ? listenTcp(l, where) : listenUdp(l, where)).catch((err: Error) => {
        throw new Error(`listen ${l.proto} ${l.ip}:${l.port}: ${err.message}`);
      }),
    ),
  );
}

/**
 * Agent side: one try — a real TCP connection or UDP exchange from a given source address — and
 * what the kernel made of it, read from the socket: an answer line from a listener, an errno
 * carried by an ICMP error or reset, or silence.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect } from 'node:net';
import { parseListenerAnswer } from './agent-protocol';
import type { LabProto, ProbeResult } from './lab-types';
import { FORWARDED_ERRNO } from './topology';

/** One try's addresses. */
export interface ProbeTarget {
  src: string;
  dst: string;
  dport: number;
  proto: LabProto;
  timeoutMs: number;
}

/** Errnos an ICMP error or a reset can put on a socket, i.e. answers from the network. */
const NETWORK_ERRNOS = new Set([
  'ECONNREFUSED', // ICMP port unreachable (REJECT's default), or a TCP reset to our SYN
  'ECONNRESET', // a reset after the connection was established
  'EHOSTUNREACH', // ICMP host unreachable, host prohibited, admin prohibited (Linux maps 13 here)
  'ENETUNREACH', // ICMP net unreachable, net prohibited
  'EHOSTDOWN',
  'ENOPROTOOPT', // ICMP protocol unreachable
  'EACCES',
  'EOPNOTSUPP',
  'EMSGSIZE',
  FORWARDED_ERRNO,
]);

/**
 * What an errno from a probe socket means: a result, `'wait'` (keep listening), or null when it is
 * not the network's answer but a harness problem (bad bind address…), which the caller reports.
 */
export function resultFromErrno(code: string | undefined): ProbeResult | 'wait' | null {
  // A DROP in N's OUTPUT makes sendmsg() fail with EPERM at once; REJECT does the same and then
  // delivers its ICMP error a moment later, so EPERM alone decides nothing.
  if (code === 'EPERM') return 'wait';
  if (code === undefined || !NETWORK_ERRNOS.has(code)) return null;
  if (code === 'ECONNREFUSED') return { kind: 'refused' };
  if (code === FORWARDED_ERRNO) return { kind: 'forwarded' };
  return { kind: 'unreachable', code };
}

function delivered(line: string, what: string): ProbeResult | Error {
  const a = parseListenerAnswer(line);
  if (a === null) {
    return new Error(`${what}: the answer is not a lab listener's: ${JSON.stringify(line.slice(0, 200))}`);
  }
  return { kind: 'delivered', endpoint: a.endpoint, peer: a.peer, where: a.where };
}

type Settle = (r: ProbeResult | Error) => void;

/** Wires the common part: one settlement, a timeout, and errno classification. */
function settler(
  t: ProbeTarget,
  cleanup: () => void,
  resolve: (r: ProbeResult) => void,
  reject: (e: Error) => void,
) {
  let done = false;
  const settle: Settle = (r) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    cleanup();
    if (r instanceof Error) reject(r);
    else resolve(r);
  };
  const timer = setTimeout(() => settle({ kind: 'timeout' }), t.timeoutMs);
  const onError = (err: NodeJS.ErrnoException): void => {
    const r = resultFromErrno(err.code);
    if (r === 'wait') return;
    settle(r ?? new Error(`${t.proto} ${t.src} -> ${t.dst}:${t.dport}: ${err.message}`));
  };
  return { settle, onError };
}

function probeTcp(t: ProbeTarget): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: t.dst, port: t.dport, localAddress: t.src });
    let answered = false;
    // Reset once answered: no TIME_WAIT anywhere, and N's conntrack entry goes to CLOSE, which a
    // later SYN on the same ports reopens as a new connection (so NAT is decided afresh).
    const { settle, onError } = settler(
      t,
      () => (answered ? sock.resetAndDestroy() : sock.destroy()),
      resolve,
      reject,
    );
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      answered = true;
      settle(delivered(buf.slice(0, nl), `tcp ${t.src} -> ${t.dst}:${t.dport}`));
    });
    sock.on('end', () => settle(new Error(`tcp ${t.src} -> ${t.dst}:${t.dport}: closed without an answer`)));
    sock.on('error', onError);
  });
}

/**
 * UDP source ports are handed out in turn from a range below Linux's ephemeral range, rather than
 * at random by the kernel: a reused port within conntrack's UDP timeout (30 s) would match the old
 * entry in N and skip NAT, quietly repeating an earlier try's endpoint.
 */
const UDP_PORTS = { first: 20000, last: 32767 };
let nextUdpPort = UDP_PORTS.first;

function takeUdpPort(): number {
  const port = nextUdpPort;
  nextUdpPort = port >= UDP_PORTS.last ? UDP_PORTS.first : port + 1;
  return port;
}

function bindUdp(src: string, attemptsLeft = 50): Promise<UdpSocket> {
  const sock = createSocket('udp4');
  return new Promise((resolve, reject) => {
    sock.once('error', (err: NodeJS.ErrnoException) => {
      sock.close();
      if (err.code === 'EADDRINUSE' && attemptsLeft > 1) resolve(bindUdp(src, attemptsLeft - 1));
      else reject(new Error(`udp bind ${src}: ${err.message}`));
    });
    sock.bind({ address: src, port: takeUdpPort(), exclusive: true }, () => {
      sock.removeAllListeners('error');
      resolve(sock);
    });
  });
}

/** A connected UDP socket: an ICMP error for its flow surfaces as an 'error' event with the errno. */
async function probeUdp(t: ProbeTarget): Promise<ProbeResult> {
  const sock = await bindUdp(t.src);
  return new Promise((resolve, reject) => {
    const { settle, onError } = settler(t, () => sock.close(), resolve, reject);
    sock.on('error', onError);
    sock.on('message', (msg) =>
      settle(delivered(msg.toString('utf8').split('\n')[0] ?? '', `udp ${t.src} -> ${t.dst}:${t.dport}`)),
    );
    // Without a callback, connect() reports its errors as 'error' events too.
    sock.once('connect', () => {
      sock.send('svcpath probe\n', (err) => {
        if (err) onError(err);
      });
    });
    sock.connect(t.dport, t.dst);
  });
}

/** Runs one try and classifies it. Rejects only for harness problems, never for a verdict. */
export function probeOnce(t: ProbeTarget): Promise<ProbeResult> {
  return t.proto === 'tcp' ? probeTcp(t) : probeUdp(t);
}

import type { Protocol } from './api-objects';

/**
 * kube-proxy's ServicePortName: a Service's namespace and name, the port's name (possibly empty)
 * and its protocol. Two ports of one Service may share a name only if their protocols differ.
 */
export interface ServicePortName {
  readonly namespace: string;
  readonly name: string;
  /** The ServicePort's `name`; "" when the port is unnamed. */
  readonly port: string;
  readonly protocol: Protocol;
}

/**
 * kube-proxy's `ServicePortName.String()`: "ns/name:port", or "ns/name" when the port is unnamed.
 * The protocol is not part of it. This string is hashed into chain names and written in comments.
 */
export function servicePortNameString(spn: Pick<ServicePortName, 'namespace' | 'name' | 'port'>): string {
  const base = `${spn.namespace}/${spn.name}`;
  return spn.port === '' ? base : `${base}:${spn.port}`;
}

/** A map key that distinguishes ports differing only in protocol ("ns/name:port/TCP"). */
export function servicePortNameKey(spn: ServicePortName): string {
  return `${servicePortNameString(spn)}/${spn.protocol}`;
}

/**
 * Port numbers are branded so a NodePort cannot be passed where a Service port is expected.
 * They are minted only by the `to*` constructors below, which reject anything outside 1–65535.
 */
export type ServicePortNumber = number & { readonly __brand: 'ServicePort' };
export type NodePortNumber = number & { readonly __brand: 'NodePort' };
/** The port an endpoint listens on (the resolved targetPort, as the EndpointSlice states it). */
export type EndpointPortNumber = number & { readonly __brand: 'EndpointPort' };

function isPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}

export function toServicePort(n: unknown): ServicePortNumber | null {
  return isPort(n) ? (n as ServicePortNumber) : null;
}
export function toNodePort(n: unknown): NodePortNumber | null {
  return isPort(n) ? (n as NodePortNumber) : null;
}
export function toEndpointPort(n: unknown): EndpointPortNumber | null {
  return isPort(n) ? (n as EndpointPortNumber) : null;
}

/**
 * Where the graph tests' dump comes from: kube-proxy's TestOverallIPTablesRules expected output
 * (Apache-2.0), kept in packages/tracer/src/fixtures/kube-proxy-conformance. Tests read the text
 * and pass it here; this module does no I/O.
 */
export const OVERALL_DUMP = '../../tracer/src/fixtures/kube-proxy-conformance/iptables-TestOverallIPTablesRules/iptables-save.txt';
/** The node address the fixture's NodePorts answer on. */
export const NODE_IP = '192.168.0.2';

/** @svcpath/collector: the adapters that read a real cluster and real nodes. See the READMEs below. */
export * from './cluster/index';
export * from './node/index';
export * from './snapshots/index';
export * from './node-pod/index';
export * from './fleet/index';

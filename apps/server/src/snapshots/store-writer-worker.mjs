// Worker bootstrap: registers tsx so the worker can load the TypeScript sources of the store
// writer and the workspace packages, as engine/engine-worker.mjs does for the engine.
import { register } from 'tsx/esm/api';

register();
await import('./store-writer-main.ts');

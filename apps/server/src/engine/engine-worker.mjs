// Worker bootstrap: registers tsx so the worker can load the TypeScript sources of the engine and
// the workspace packages (they export TS directly), whether the server runs under
// `node --import tsx` or inside vitest.
import { register } from 'tsx/esm/api';

register();
await import('./engine-worker-main.ts');

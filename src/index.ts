// The action's entry point: everything lives in action.ts.
import { run } from './action.js';

await run();

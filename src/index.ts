// The action's entry point: everything lives in action.ts.
import { run } from './github/action.js';

await run();

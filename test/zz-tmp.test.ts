import { test } from 'vitest';
import { renderTerminal } from '../src/report/terminal.js';
import { fixtures } from './fixtures/results/index.js';
test('x', () => { process.stdout.write(renderTerminal(fixtures.regressions, { color: false }) + renderTerminal(fixtures.unavailableProcesses, { color: false })); });

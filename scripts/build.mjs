// Build: tsc (src → lib), then ncc bundles the two entry points into dist/ (committed),
// and the stdlib-only Python runner is copied beside each bundle.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { sourceHash, STAMP } from './source-hash.mjs';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
rmSync('lib', { recursive: true, force: true });
rmSync('dist', { recursive: true, force: true });
run('tsc', ['-p', 'tsconfig.json']);
run('ncc', ['build', 'lib/index.js', '-o', 'dist', '--license', 'licenses.txt', '--quiet']);
run('ncc', ['build', 'lib/cli/main.js', '-o', 'dist/cli', '--quiet']);
mkdirSync('dist', { recursive: true });
cpSync('python/gilgate_runner.py', 'dist/gilgate_runner.py');
// The HTML preview (gilgate preview / --html) inlines Mermaid from here; same file the browser test loads.
cpSync('node_modules/mermaid/dist/mermaid.min.js', 'dist/mermaid.min.js');
// What this bundle was built from, so that the tests rebuild it when src/ has moved on.
writeFileSync(STAMP, `${sourceHash('.')}\n`);

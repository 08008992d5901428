// Build: tsc (src → lib), then ncc bundles the two entry points into dist/ (committed),
// and the stdlib-only Python runner is copied beside each bundle.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, mkdirSync } from 'node:fs';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
rmSync('lib', { recursive: true, force: true });
rmSync('dist', { recursive: true, force: true });
run('tsc', ['-p', 'tsconfig.json']);
run('ncc', ['build', 'lib/index.js', '-o', 'dist', '--license', 'licenses.txt', '--quiet']);
run('ncc', ['build', 'lib/cli/main.js', '-o', 'dist/cli', '--quiet']);
mkdirSync('dist', { recursive: true });
cpSync('python/gilgate_runner.py', 'dist/gilgate_runner.py');
// `gilgate init`'s scanner, beside the runner it imports for its checks.
cpSync('python/gilgate_scan.py', 'dist/gilgate_scan.py');
// The HTML preview (gilgate preview / --html) inlines Mermaid from here; same file the browser test loads.
cpSync('node_modules/mermaid/dist/mermaid.min.js', 'dist/mermaid.min.js');

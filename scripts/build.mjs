// Build: tsc (src → lib), then ncc bundles the two entry points into dist/ (committed),
// and the stdlib-only Python runner is copied beside each bundle.
import { execFileSync } from 'node:child_process';
import { cpSync, renameSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { sourceHash, STAMP } from './source-hash.mjs';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
rmSync('lib', { recursive: true, force: true });
rmSync('dist', { recursive: true, force: true });
run('tsc', ['-p', 'tsconfig.json']);
run('ncc', ['build', 'lib/index.js', '-o', 'dist', '--license', 'licenses.txt', '--quiet']);
run('ncc', ['build', 'lib/cli/main.js', '-o', 'dist/cli', '--quiet']);
// The `gilgate` bin is a launcher that checks Node's version before loading the bundle: the bundle's
// dependencies need Node 24 at load time, and an older Node would die on a TypeError deep inside it
// instead of saying what is wrong.
renameSync('dist/cli/index.js', 'dist/cli/gilgate.js');
writeFileSync(
  'dist/cli/index.js',
  `#!/usr/bin/env node
// The gilgate CLI: checks Node's version, then loads the bundle (gilgate.js, built by scripts/build.mjs).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(\`gilgate: needs Node.js 24 or later on PATH (this is Node.js \${process.versions.node})\\n\`);
  process.exit(2);
}
await import('./gilgate.js');
`,
  { mode: 0o755 },
);
mkdirSync('dist', { recursive: true });
cpSync('python/gilgate_runner.py', 'dist/gilgate_runner.py');
// `gilgate init`'s scanner, beside the runner it imports for its checks.
cpSync('python/gilgate_scan.py', 'dist/gilgate_scan.py');
// The HTML preview (gilgate preview / --html) inlines Mermaid from here; same file the browser test loads.
cpSync('node_modules/mermaid/dist/mermaid.min.js', 'dist/mermaid.min.js');
// What this bundle was built from, so that the tests rebuild it when src/ has moved on.
writeFileSync(STAMP, `${sourceHash('.')}\n`);

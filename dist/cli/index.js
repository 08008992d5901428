#!/usr/bin/env node
// The gilgate CLI: checks Node's version, then loads the bundle (gilgate.js, built by scripts/build.mjs).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`gilgate: needs Node.js 24 or later on PATH (this is Node.js ${process.versions.node})\n`);
  process.exit(2);
}
await import('./gilgate.js');

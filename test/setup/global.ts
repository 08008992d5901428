// Runs once before the tests (vitest globalSetup, both projects), so that `npm ci && npm test` is
// all a fresh clone needs:
// - scripts/provision.sh provides the interpreters and Chromium the tests need (cached, so a second
//   run costs a start of each). What it cannot provide it names, with the command; the tests that
//   need it then fail with the same command (test/helpers/pythons.ts, chromium.ts), never skip.
// - dist/ is rebuilt when the sources it was built from have changed (dist/.source-hash), since the
//   end-to-end tests run the bundle exactly as a runner does; on CI (CI=true) a stale committed
//   bundle fails the run instead, naming `npm run build`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
// A plain .mjs module, shared with scripts/build.mjs.
import { sourceHash, STAMP } from '../../scripts/source-hash.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');

export default function setup(): void {
  provision();
  buildWhenStale();
}

function provision(): void {
  const result = spawnSync('bash', [path.join(ROOT, 'scripts/provision.sh')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    console.error('scripts/provision.sh could not provide everything (above); the tests that need it will fail naming it.');
  }
}

function buildWhenStale(): void {
  const stamp = path.join(ROOT, STAMP);
  const built = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : null;
  if (built === sourceHash(ROOT)) return;
  // On CI the committed bundle is what users run (action.yml points at dist/): a stale one is a
  // failure to fix by committing a rebuild, not something to paper over by rebuilding here.
  if (process.env['CI'] === 'true') {
    throw new Error(`dist/ was not built from these sources (${STAMP}): run \`npm run build\` and commit dist/`);
  }
  console.error(`dist/ was not built from these sources (${STAMP}): running \`npm run build\``);
  const bin = path.join(ROOT, 'node_modules', '.bin');
  execFileSync(process.execPath, ['scripts/build.mjs'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}` },
  });
}

// The Chromium the browser test drives, found where scripts/provision.sh looks (GILGATE_CHROMIUM,
// then PATH). Missing is an error naming the command, as for the interpreters: never a skip.
import { execFileSync } from 'node:child_process';

export function requireChromium(): string {
  const given = process.env['GILGATE_CHROMIUM'];
  if (given) return given;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    } catch {
      // not this name; try the next
    }
  }
  throw new Error(
    'Chromium is required by the browser test but was not found on PATH. Run `bash scripts/provision.sh chromium` ' +
      '(as root it runs `apt-get install chromium`), or `sudo apt-get install chromium`, or set GILGATE_CHROMIUM.',
  );
}

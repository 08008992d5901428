// A real git server on 127.0.0.1: Node's HTTP server in front of `git http-backend` (CGI), serving
// bare repositories under a root folder as /<owner>/<repo>.git. Reads are open (a public repository:
// fork pull requests read too); pushes need HTTP Basic credentials whose password is a token in
// `writeTokens`. A token in `readTokens` is refused receive-pack with 403, as GitHub refuses a
// read-only GITHUB_TOKEN. Branch protection is a real pre-receive hook (see protect()).
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const BACKEND = '/usr/lib/git-core/git-http-backend';

export interface GitHttpServer {
  url: string;
  root: string;
  writeTokens: Set<string>;
  readTokens: Set<string>;
  /** Every receive-pack request: the token used and the answer's status. */
  pushes: { token: string | null; status: number }[];
  /** A bare repository at <root>/<owner>/<repo>.git; returns its path. */
  createRepository(owner: string, repo: string): string;
  /** A pre-receive hook that refuses every update of `branch` (null: remove the hook). */
  protect(owner: string, repo: string, branch: string | null): void;
  /** http://x-access-token:TOKEN@127.0.0.1:port/owner/repo.git (or without credentials). */
  remote(owner: string, repo: string, token?: string): string;
  close(): Promise<void>;
}

function tokenOf(req: IncomingMessage): string | null {
  const header = req.headers.authorization ?? '';
  const match = /^Basic\s+(.+)$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}

export async function startGitHttpServer(root: string): Promise<GitHttpServer> {
  mkdirSync(root, { recursive: true });
  const state: GitHttpServer = {
    url: '',
    root,
    writeTokens: new Set(),
    readTokens: new Set(),
    pushes: [],
    createRepository(owner, repo) {
      const dir = join(root, owner, `${repo}.git`);
      mkdirSync(dir, { recursive: true });
      execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', dir]);
      execFileSync('git', ['-C', dir, 'config', 'http.receivepack', 'true']);
      return dir;
    },
    protect(owner, repo, branch) {
      const hook = join(root, owner, `${repo}.git`, 'hooks', 'pre-receive');
      mkdirSync(join(root, owner, `${repo}.git`, 'hooks'), { recursive: true });
      const body = branch === null
        ? '#!/bin/sh\nexit 0\n'
        : `#!/bin/sh\nwhile read old new ref; do\n  if [ "$ref" = "refs/heads/${branch}" ]; then\n    echo "GH006: Protected branch update failed for $ref." >&2\n    exit 1\n  fi\ndone\nexit 0\n`;
      writeFileSync(hook, body);
      chmodSync(hook, 0o755);
    },
    remote(owner, repo, token) {
      const url = new URL(state.url);
      return `${url.protocol}//${token ? `x-access-token:${encodeURIComponent(token)}@` : ''}${url.host}/${owner}/${repo}.git`;
    },
    close: () => new Promise((done) => server.close(() => done())),
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const isPush = url.pathname.endsWith('/git-receive-pack') || url.searchParams.get('service') === 'git-receive-pack';
    const token = tokenOf(req);
    if (isPush) {
      if (token === null) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end('authentication required\n');
        return;
      }
      if (!state.writeTokens.has(token)) {
        const status = state.readTokens.has(token) ? 403 : 401;
        state.pushes.push({ token, status });
        const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Basic realm="git"' } : {};
        res.writeHead(status, headers).end(status === 403 ? 'Permission to push denied: the token is read-only\n' : 'bad credentials\n');
        return;
      }
      if (req.method === 'POST') state.pushes.push({ token, status: 200 });
    }
    const backend = spawn(BACKEND, [], {
      env: {
        PATH: process.env['PATH'] ?? '',
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_USER: isPush ? 'x-access-token' : '',
        REMOTE_ADDR: '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    req.pipe(backend.stdin);
    const chunks: Buffer[] = [];
    backend.stdout.on('data', (c: Buffer) => chunks.push(c));
    backend.stderr.on('data', () => {});
    backend.on('close', () => {
      const out = Buffer.concat(chunks);
      const split = out.indexOf('\r\n\r\n');
      const sep = split >= 0 ? split : out.indexOf('\n\n');
      const headText = out.subarray(0, sep).toString('utf8');
      const body = out.subarray(sep + (split >= 0 ? 4 : 2));
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of headText.split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else headers[name] = value;
      }
      res.writeHead(status, headers).end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

// A GitHub REST API stand-in served over real HTTP on 127.0.0.1: in-memory issue comments, pages with
// per_page/page and Link headers like api.github.com, records every request, and can be told to refuse
// writes the way a fork's read-only token is refused, or to fail transiently.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredComment {
  id: number;
  issueNumber: number;
  owner: string;
  repo: string;
  body: string;
  user: { login: string; type: 'User' | 'Bot' };
  created_at: string;
  updated_at: string;
}

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. /repos/o/r/issues/7/comments?per_page=100&page=2 */
  url: string;
  authorization: string | null;
  body: unknown;
  status: number;
}

export interface Failure {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

export interface GitHubApiServer {
  url: string;
  requests: RecordedRequest[];
  /** When set, requests must carry this token (as `token X` or `Bearer X`), else 401. */
  expectedToken: string | null;
  /** Answer POST/PATCH/DELETE with 403 "Resource not accessible by integration", as for fork PRs. */
  denyWrites: boolean;
  /** Queue failures answered to the next requests, in order (e.g. one 502). */
  failNext(...failures: Failure[]): void;
  seedComments(owner: string, repo: string, issueNumber: number, bodies: string[], user?: StoredComment['user']): void;
  comments(owner: string, repo: string, issueNumber: number): StoredComment[];
  close(): Promise<void>;
}

const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;

export async function startGitHubApiServer(): Promise<GitHubApiServer> {
  const store: StoredComment[] = [];
  const queued: Failure[] = [];
  let nextId = 1000;
  const now = () => new Date().toISOString();

  const api: GitHubApiServer = {
    url: '',
    requests: [],
    expectedToken: null,
    denyWrites: false,
    failNext: (...failures) => queued.push(...failures),
    seedComments(owner, repo, issueNumber, bodies, user = { login: 'someone', type: 'User' }) {
      for (const body of bodies) {
        store.push({ id: nextId++, issueNumber, owner, repo, body, user, created_at: now(), updated_at: now() });
      }
    },
    comments: (owner, repo, issueNumber) =>
      store.filter((c) => c.owner === owner && c.repo === repo && c.issueNumber === issueNumber),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const body = raw === '' ? null : safeJson(raw);
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', api.url);
    const authorization = req.headers.authorization ?? null;
    const record: RecordedRequest = { method, url: url.pathname + url.search, authorization, body, status: 0 };
    api.requests.push(record);
    const reply = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      send(res, status, data, headers);
    };

    if (api.expectedToken !== null) {
      const token = authorization?.replace(/^(token|bearer)\s+/i, '');
      if (token !== api.expectedToken) return reply(401, { message: 'Bad credentials' });
    }
    const failure = queued.shift();
    if (failure) return reply(failure.status, { message: failure.message }, failure.headers);
    if (api.denyWrites && method !== 'GET') {
      return reply(403, {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
      });
    }

    const list = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
    const single = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if (list && method === 'GET') {
      const [, owner = '', repo = '', issue = ''] = list;
      const all = api.comments(owner, repo, Number(issue));
      const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Number(url.searchParams.get('per_page') ?? DEFAULT_PER_PAGE)));
      const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
      const lastPage = Math.max(1, Math.ceil(all.length / perPage));
      const slice = all.slice((page - 1) * perPage, page * perPage).map((c) => present(c));
      return reply(200, slice, linkHeader(url, page, lastPage));
    }
    if (list && method === 'POST') {
      const [, owner = '', repo = '', issue = ''] = list;
      const text = (body as { body?: unknown } | null)?.body;
      if (typeof text !== 'string') return reply(422, { message: 'body is missing' });
      if (text.length > 65_536) return reply(422, { message: 'Body is too long (maximum is 65536 characters)' });
      const comment: StoredComment = {
        id: nextId++,
        issueNumber: Number(issue),
        owner,
        repo,
        body: text,
        user: { login: 'github-actions[bot]', type: 'Bot' },
        created_at: now(),
        updated_at: now(),
      };
      store.push(comment);
      return reply(201, present(comment));
    }
    if (single && method === 'PATCH') {
      const [, owner = '', repo = '', id = ''] = single;
      const comment = store.find((c) => c.owner === owner && c.repo === repo && c.id === Number(id));
      if (!comment) return reply(404, { message: 'Not Found' });
      const text = (body as { body?: unknown } | null)?.body;
      if (typeof text !== 'string') return reply(422, { message: 'body is missing' });
      if (text.length > 65_536) return reply(422, { message: 'Body is too long (maximum is 65536 characters)' });
      comment.body = text;
      comment.updated_at = now();
      return reply(200, present(comment));
    }
    return reply(404, { message: 'Not Found' });
  }

  function present(comment: StoredComment) {
    return {
      id: comment.id,
      body: comment.body,
      user: comment.user,
      html_url: `https://github.com/${comment.owner}/${comment.repo}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
      url: `${api.url}/repos/${comment.owner}/${comment.repo}/issues/comments/${comment.id}`,
      created_at: comment.created_at,
      updated_at: comment.updated_at,
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}

function linkHeader(url: URL, page: number, lastPage: number): Record<string, string> {
  const at = (n: number) => {
    const target = new URL(url);
    target.searchParams.set('page', String(n));
    return `<${target.toString()}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${at(page - 1)}; rel="prev"`, `${at(1)}; rel="first"`);
  if (page < lastPage) links.push(`${at(page + 1)}; rel="next"`, `${at(lastPage)}; rel="last"`);
  return links.length > 0 ? { link: links.join(', ') } : {};
}

function send(res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(data);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

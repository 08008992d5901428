// node scripts/longest-functions.mjs [ROOT] [N] — the N (default 5) longest functions, in lines
// from their first line to their last, in ROOT/src (TypeScript, parsed with rolldown's parseAst,
// which vitest brings) and in ROOT/python/gilgate_runner.py (Python's ast, through python3). Nested
// functions count on their own and inside their parent. A habit check, not a test: see CONTRIBUTING.md.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAst } from 'rolldown/parseAst';

const root = path.resolve(process.argv[2] ?? '.');
const top = Number(process.argv[3] ?? 5);

function tsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? tsFiles(full) : name.endsWith('.ts') ? [full] : [];
  });
}

function lineAt(starts, offset) {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function nameOf(node, parent) {
  if (node.id?.name) return node.id.name;
  if (parent?.type === 'MethodDefinition' || parent?.type === 'Property' || parent?.type === 'PropertyDefinition') return parent.key?.name ?? '(computed)';
  if (parent?.type === 'VariableDeclarator') return parent.id?.name ?? '(pattern)';
  return '(anonymous)';
}

function typescriptFunctions(dir) {
  const found = [];
  for (const file of tsFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    const starts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
    const walk = (node, parent, className) => {
      if (node === null || typeof node !== 'object') return;
      if (Array.isArray(node)) return node.forEach((child) => walk(child, parent, className));
      if (['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'].includes(node.type) && node.body) {
        const name = nameOf(node, parent);
        const lines = lineAt(starts, node.end - 1) - lineAt(starts, node.start) + 1;
        found.push({ name: className && parent?.type === 'MethodDefinition' ? `${className}.${name}` : name, file: path.relative(root, file), line: lineAt(starts, node.start), lines });
      }
      const inClass = node.type === 'ClassDeclaration' || node.type === 'ClassExpression' ? node.id?.name ?? '(class)' : className;
      for (const [key, child] of Object.entries(node)) if (key !== 'type' && typeof child === 'object') walk(child, node, inClass);
    };
    walk(parseAst(text, { lang: 'ts' }, file), null, null);
  }
  return found;
}

const PYTHON = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read())
found = []
def walk(node, prefix):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = prefix + child.name
            if not isinstance(child, ast.ClassDef):
                found.append({"name": name, "line": child.lineno, "lines": child.end_lineno - child.lineno + 1})
            walk(child, name + ".")
        else:
            walk(child, prefix)
walk(tree, "")
print(json.dumps(found))
`;

function pythonFunctions(file) {
  const found = JSON.parse(execFileSync('python3', ['-c', PYTHON, file], { encoding: 'utf8' }));
  return found.map((f) => ({ ...f, file: path.relative(root, file) }));
}

function print(title, functions) {
  console.log(title);
  for (const f of functions.sort((a, b) => b.lines - a.lines).slice(0, top)) {
    console.log(`  ${String(f.lines).padStart(4)}  ${f.name}  (${f.file}:${f.line})`);
  }
}

print(`longest functions in ${path.join(root, 'src')}`, typescriptFunctions(path.join(root, 'src')));
print(`longest functions in ${path.join(root, 'python/gilgate_runner.py')}`, pythonFunctions(path.join(root, 'python', 'gilgate_runner.py')));

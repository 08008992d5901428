#!/usr/bin/env python3
"""gilgate's scanner for `gilgate init`: find the pools a repository already uses.

Usage: python gilgate_scan.py scan <spec.json> <result.json>
       python gilgate_scan.py check <spec.json> <result.json>

scan reads the repository's Python sources with the stdlib `ast` module (nothing is imported or
run) and lists every call that hands a function to a pool: `map`, `submit`, `imap`,
`imap_unordered`, `starmap`, `apply_async`, ... on a ThreadPoolExecutor, ProcessPoolExecutor,
InterpreterPoolExecutor or multiprocessing pool (and `loop.run_in_executor(pool, ...)`),
`threading.Thread(target=...)` and `asyncio.to_thread(...)`, following imports and aliases. Each call site says which function runs
and where its arguments come from, as far as the source tells, or why it cannot be a workload.

check imports a proposed workload the way gilgate_runner does (its own functions, from the file
beside this one), pickles the function and the first task, and runs that one task.

Stdlib only, Python >= 3.8, results in a file (never stdout), like gilgate_runner.py.
"""

import ast
import builtins
import os
import pickle
import sys
import time
import traceback

# The runner is shipped beside this file: the checks load a proposal with its code, and a result
# is written and the process left as the runner does.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gilgate_runner  # noqa: E402

# ---------------------------------------------------------------- what a pool is

# Fully qualified constructor -> the model it runs.
EXECUTORS = {
    "concurrent.futures.ThreadPoolExecutor": "threads",
    "concurrent.futures.thread.ThreadPoolExecutor": "threads",
    "concurrent.futures.ProcessPoolExecutor": "processes",
    "concurrent.futures.process.ProcessPoolExecutor": "processes",
    "concurrent.futures.InterpreterPoolExecutor": "interpreters",
    "concurrent.futures.interpreter.InterpreterPoolExecutor": "interpreters",
    "multiprocessing.Pool": "processes",
    "multiprocessing.pool.Pool": "processes",
    "multiprocessing.pool.ThreadPool": "threads",
    "multiprocessing.dummy.Pool": "threads",
}
# A get_context() result is the multiprocessing module for our purpose: ctx.Pool is a Pool.
CONTEXT_FACTORIES = {"multiprocessing.get_context"}

# Method -> how its arguments map onto tasks.
#   "map": fn, iterable[, iterable...]    "star": fn, iterable of argument tuples
#   "one": fn, *args (one task)           "tuple": fn, args-tuple (one task)
METHODS = {
    "map": "map", "imap": "map", "imap_unordered": "map", "map_async": "map",
    "starmap": "star", "starmap_async": "star",
    "submit": "one", "apply_async": "tuple", "apply": "tuple",
}

SKIP_DIRS = {".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "env", "node_modules",
             "__pycache__", "build", "dist", ".eggs", "site-packages", ".mypy_cache", ".gilgate"}

# ---------------------------------------------------------------- files and modules


def python_files(root):
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".py"):
                yield os.path.join(directory, name)


def module_of(root, path):
    """(import root relative to `root`, dotted module) for a file: the packages above it are the
    directories with an __init__.py; the first directory without one goes on sys.path."""
    directory, name = os.path.split(os.path.abspath(path))
    parts = [] if name == "__init__.py" else [name[:-3]]
    while os.path.exists(os.path.join(directory, "__init__.py")) and os.path.abspath(directory) != os.path.abspath(root):
        directory, package = os.path.split(directory)
        parts.insert(0, package)
    relative = os.path.relpath(directory, root)
    return ("." if relative == os.curdir else relative.replace(os.sep, "/")), ".".join(parts)


def identifier_ok(dotted):
    return all(part.isidentifier() for part in dotted.split(".")) if dotted else False


# ---------------------------------------------------------------- one module


class Scope:
    """A function (or the module): the names it binds, its parameters, its nested defs."""

    def __init__(self, node, parent):
        self.node = node
        self.parent = parent
        self.params = set()
        self.defs = {}       # name -> FunctionDef/ClassDef defined directly here
        self.assigns = {}    # name -> [value nodes]
        self.lambdas = set()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            a = node.args
            for arg in list(getattr(a, "posonlyargs", [])) + a.args + a.kwonlyargs:
                self.params.add(arg.arg)
            if a.vararg:
                self.params.add(a.vararg.arg)
            if a.kwarg:
                self.params.add(a.kwarg.arg)

    @property
    def name(self):
        return getattr(self.node, "name", "<module>")


def source_of(text, node):
    segment = ast.get_source_segment(text, node)
    return " ".join(segment.split()) if segment else "?"


class ModuleScan(ast.NodeVisitor):
    def __init__(self, text, module, package):
        self.text = text
        self.module = module
        self.package = package  # for relative imports
        self.aliases = {}       # local name -> qualified name (modules and imported objects)
        self.sites = []
        self.module_scope = None
        self.scope = None
        self.class_stack = []
        self.pool_names = {}    # (scope id or None for attributes, text) -> (model, constructor)
        self.loops = []         # enclosing for-loops and comprehensions: (target, iter)
        self.factories = {}     # function name (or "self.method") -> (model, constructor) it returns

    # -- names

    def resolve_import(self, module, level):
        if not level:
            return module or ""
        base = self.package.split(".") if self.package else []
        if level > 1:
            base = base[: len(base) - (level - 1)] if level - 1 <= len(base) else []
        return ".".join([p for p in base + ([module] if module else []) if p])

    def qualified(self, node):
        """'concurrent.futures.ProcessPoolExecutor' for cf.ProcessPoolExecutor, etc.; None when the
        expression is not a dotted name rooted at an import."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualified(node.value)
            return base + "." + node.attr if base else None
        if isinstance(node, ast.Call) and self.qualified(node.func) in CONTEXT_FACTORIES:
            return "multiprocessing"
        return None

    def pool_model(self, node):
        """The model of a pool-constructing call (a constructor, or a function of this module that
        returns one), or None."""
        if isinstance(node, ast.Call):
            model = EXECUTORS.get(self.qualified(node.func) or "")
            if model is None and (dotted(node.func) or "") in self.factories:
                model = self.factories[dotted(node.func)][0]
            return model
        return None

    def constructor_of(self, node):
        return self.factories.get(dotted(node.func) or "", (None, self.qualified(node.func)))[1] or self.qualified(node.func)

    def find_factories(self, tree):
        """Functions that return a pool (flake8's _try_initialize_processpool): a call to one makes a pool."""
        for owner in [tree] + [n for n in tree.body if isinstance(n, ast.ClassDef)]:
            for fn in owner.body:
                if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                for sub in ast.walk(fn):
                    if isinstance(sub, ast.Return) and sub.value is not None:
                        model = EXECUTORS.get(self.qualified(sub.value.func) or "") if isinstance(sub.value, ast.Call) else None
                        if model:
                            key = fn.name if owner is tree else "self." + fn.name
                            self.factories[key] = (model, self.qualified(sub.value.func))
                            break

    # -- scopes

    def visit_Module(self, node):
        self.module_scope = self.scope = Scope(node, None)
        self.collect(node, self.scope)
        self.find_factories(node)
        self.generic_visit(node)

    def collect(self, node, scope):
        """Bindings directly in this scope (not in nested functions)."""
        for child in ast.iter_child_nodes(node):
            self._collect(child, scope)

    def _collect(self, node, scope):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            scope.defs[node.name] = node
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            self.record_import(node)
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    scope.assigns.setdefault(target.id, []).append(node.value)
        if isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name) and node.value is not None:
            scope.assigns.setdefault(node.target.id, []).append(node.value)
        if isinstance(node, (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith)):
            for name in bound_names(node):
                scope.assigns.setdefault(name, []).append(None)  # bound, value unknown here
        if isinstance(node, ast.Lambda):
            return
        for child in ast.iter_child_nodes(node):
            self._collect(child, scope)

    def record_import(self, node):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    self.aliases[top] = top
        else:
            base = self.resolve_import(node.module, node.level)
            for alias in node.names:
                if alias.name != "*":
                    self.aliases[alias.asname or alias.name] = (base + "." if base else "") + alias.name

    def visit_FunctionDef(self, node):
        outer = self.scope
        self.scope = Scope(node, outer)
        self.collect(node, self.scope)
        saved_loops, self.loops = self.loops, []
        self.generic_visit(node)
        self.loops = saved_loops
        self.scope = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self.class_stack.append(node.name)
        self.generic_visit(node)
        self.class_stack.pop()

    # -- loops: where a per-item call's argument comes from

    def visit_For(self, node):
        self.visit(node.iter)
        self.loops.append((node.target, node.iter))
        for child in node.body + node.orelse:
            self.visit(child)
        self.loops.pop()

    visit_AsyncFor = visit_For

    def visit_comprehension_owner(self, node):
        for generator in node.generators:
            self.visit(generator.iter)
            self.loops.append((generator.target, generator.iter))
        for field in ("elt", "key", "value"):
            if hasattr(node, field):
                self.visit(getattr(node, field))
        for _ in node.generators:
            self.loops.pop()

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = visit_comprehension_owner

    # -- pools bound to names

    def visit_With(self, node):
        for item in node.items:
            model = self.pool_model(item.context_expr)
            if model and item.optional_vars is not None:
                self.bind_pool(item.optional_vars, model, item.context_expr)
        self.generic_visit(node)

    visit_AsyncWith = visit_With

    def visit_Assign(self, node):
        model = self.pool_model(node.value)
        if model:
            for target in node.targets:
                self.bind_pool(target, model, node.value)
        elif isinstance(node.value, ast.Call) and self.qualified(node.value.func) in CONTEXT_FACTORIES:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.aliases[target.id] = "multiprocessing"
        self.generic_visit(node)

    def bind_pool(self, target, model, constructor):
        text = source_of(self.text, target)
        key = (id(self.scope), text) if isinstance(target, ast.Name) else (None, text)
        self.pool_names[key] = (model, self.constructor_of(constructor))

    def pool_of(self, node):
        """(model, constructor) when `node` is a pool: a constructor call or a name bound to one."""
        model = self.pool_model(node)
        if model:
            return model, self.constructor_of(node)
        text = source_of(self.text, node)
        if isinstance(node, ast.Name):
            scope = self.scope
            while scope is not None:
                if (id(scope), text) in self.pool_names:
                    return self.pool_names[(id(scope), text)]
                scope = scope.parent
            return None
        return self.pool_names.get((None, text))

    # -- call sites

    def visit_Call(self, node):
        func = node.func
        qualified = self.qualified(func)
        if isinstance(func, ast.Attribute) and func.attr in METHODS:
            pool = self.pool_of(func.value)
            if pool and node.args:
                self.site(node, pool[0], pool[1], func.attr, node.args[0], node.args[1:], METHODS[func.attr])
        elif isinstance(func, ast.Attribute) and func.attr == "run_in_executor" and len(node.args) >= 2:
            executor = node.args[0]
            if isinstance(executor, ast.Constant) and executor.value is None:
                pool = ("threads", "asyncio default executor")
            else:
                pool = self.pool_of(executor)
            if pool:
                self.site(node, pool[0], pool[1], "run_in_executor", node.args[1], node.args[2:], "one")
        elif qualified == "threading.Thread":
            target = keyword(node, "target")
            if target is None and len(node.args) >= 2:
                target = node.args[1]
            if target is not None:
                args = keyword(node, "args")
                self.site(node, "threads", "threading.Thread", "target", target, [args] if args is not None else [], "tuple")
        elif qualified == "asyncio.to_thread" and node.args:
            self.site(node, "threads", "asyncio.to_thread", "to_thread", node.args[0], node.args[1:], "one")
        self.generic_visit(node)

    def site(self, node, model, constructor, method, fn_node, rest, shape):
        record = {
            "line": node.lineno,
            "col": node.col_offset + 1,
            "call": source_of(self.text, node)[:200],
            "model": model,
            "executor": constructor,
            "method": method,
            "function": source_of(self.text, fn_node),
            "enclosing": self.scope.name if self.scope is not self.module_scope else None,
            "run": None,
            "tasks": None,
            "star": False,
            "refused": None,
            "tasksNote": None,
        }
        run, refused = self.function_reference(fn_node)
        if refused is None and method in ("target", "to_thread") and not self.loops:
            # One thread started once is a background service (a reader, a feeder), not work
            # spread over workers: only threads started in a loop or comprehension fan out.
            run, refused = None, "one thread started once (not in a loop or comprehension): a background task, not work spread over workers"
        record["run"], record["refused"] = run, refused
        if refused is None:
            self.task_source(record, rest, shape)
        self.sites.append(record)

    def function_reference(self, node):
        """('module:function', None) when the function is importable at module level, else
        (None, the reason)."""
        if isinstance(node, ast.Lambda):
            return None, "a lambda: a pool in another process or interpreter cannot import it; give it a name at module level"
        if isinstance(node, ast.Call):
            callee = source_of(self.text, node.func)
            return None, "built by a call (%s(...)): which function runs is known only when the code runs; wrap it in a module-level function" % callee
        if isinstance(node, ast.Name):
            name = node.id
            scope = self.scope
            while scope is not None and scope is not self.module_scope:
                if name in scope.params:
                    return None, "`%s` is a parameter of %s(): which function runs depends on its caller" % (name, scope.name)
                if name in scope.defs:
                    return None, "`%s` is a nested function (a closure) defined inside %s(): a pool in another process cannot import it; move it to module level" % (name, scope.name)
                if name in scope.assigns:
                    return None, "`%s` is a local variable of %s(): which function it holds is known only when the code runs" % (name, scope.name)
                scope = scope.parent
            if name in self.module_scope.defs:
                if isinstance(self.module_scope.defs[name], ast.ClassDef):
                    return None, "`%s` is a class: each task would construct one; wrap the work in a module-level function" % name
                return "%s:%s" % (self.module, name), None
            if name in self.aliases:
                return split_reference(self.aliases[name])
            if name in self.module_scope.assigns:
                values = self.module_scope.assigns[name]
                if any(isinstance(v, ast.Lambda) for v in values):
                    return None, "`%s` is a lambda assigned at module level: pickle cannot ship a lambda by name; use def" % name
                return "%s:%s" % (self.module, name), None
            if hasattr(builtins, name):
                return None, "`%s` is a builtin: there is no code of this repository to measure" % name
            return None, "cannot tell where `%s` comes from" % name
        if isinstance(node, ast.Attribute):
            qualified = self.qualified(node)
            if qualified:
                return split_reference(qualified)
            chain = dotted(node)
            head = chain.split(".")[0] if chain else None
            if head and isinstance(self.module_scope.defs.get(head), ast.ClassDef) and not self.is_local(head) and chain.count(".") == 1:
                method = next((d for d in self.module_scope.defs[head].body
                               if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef)) and d.name == node.attr), None)
                kinds = {dotted(d) for d in method.decorator_list} if method else set()
                if "staticmethod" in kinds or "classmethod" in kinds:
                    return "%s:%s" % (self.module, chain), None
                return None, "`%s` is an instance method: it needs an object made when the code runs; wrap the work in a module-level function" % chain
            owner = source_of(self.text, node.value)
            return None, "a bound method of `%s`, an object made when the code runs: gilgate cannot build that object; wrap the work in a module-level function" % owner
        return None, "not a plain function reference (`%s`)" % source_of(self.text, node)

    def is_local(self, name):
        scope = self.scope
        while scope is not None and scope is not self.module_scope:
            if name in scope.params or name in scope.defs or name in scope.assigns:
                return True
            scope = scope.parent
        return False

    # -- where the tasks come from

    def task_source(self, record, rest, shape):
        """Fill record['tasks'] with {'kind': 'range', 'count': N} or {'kind': 'expression',
        'module', 'source'} (evaluable in the call site's module), or leave a note why not."""
        if shape == "map":
            if not rest:
                record["tasksNote"] = "the call passes no iterable"
                return
            if len(rest) > 1:
                record["star"] = True
                iterable = "zip(%s)" % ", ".join(source_of(self.text, r) for r in rest)
                self.expression_tasks(record, rest, iterable)
            else:
                self.expression_tasks(record, rest, None)
            return
        if shape == "star":
            record["star"] = True
            if rest:
                self.expression_tasks(record, rest[:1], None)
            return
        # One task per call: the tasks are the enclosing loop's items when the call passes the loop
        # variable(s) as they come.
        args = rest
        if shape == "tuple":
            if len(rest) != 1 or not isinstance(rest[0], (ast.Tuple, ast.List)):
                record["tasksNote"] = "the call's arguments are not a literal tuple"
                return
            args = rest[0].elts
        names = [a.id for a in args if isinstance(a, ast.Name)]
        if not args or len(names) != len(args):
            record["tasksNote"] = "each call passes %s, not an enclosing loop's items" % (", ".join(source_of(self.text, a) for a in args) or "nothing")
            return
        for target, iterable in reversed(self.loops):
            bound = target_names(target)
            if bound == names:
                record["star"] = len(names) > 1 or isinstance(target, ast.Tuple)
                self.expression_tasks(record, [iterable], None)
                return
            if bound and set(names) <= set(bound):
                # Some of the loop's variables, in the call's order: the items are a comprehension
                # over the loop's iterable (`for i, path in enumerate(PATHS): submit(f, path)`).
                picked = names[0] if len(names) == 1 else "(%s)" % ", ".join(names)
                record["star"] = len(names) > 1
                comprehension = "[%s for %s in %s]" % (picked, source_of(self.text, target), source_of(self.text, iterable))
                self.expression_tasks(record, [iterable], comprehension)
                return
        record["tasksNote"] = "each call passes %s, not an enclosing loop's items" % ", ".join(names)
        record["star"] = len(names) > 1

    def expression_tasks(self, record, nodes, joined):
        node = nodes[0]
        if joined is None and isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range" \
                and not self.is_local("range") and len(node.args) == 1 and not node.keywords \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, int) \
                and not isinstance(node.args[0].value, bool) and node.args[0].value >= 1:
            record["tasks"] = {"kind": "range", "count": node.args[0].value}
            return
        local = sorted({name for n in nodes for name in free_names(n) if self.is_local(name)})
        unknown = sorted({name for n in nodes for name in free_names(n)
                          if not self.is_local(name) and name not in self.module_scope.defs
                          and name not in self.module_scope.assigns and name not in self.aliases
                          and not hasattr(builtins, name)})
        source = joined or source_of(self.text, node)
        if local:
            where = self.scope.name if self.scope is not self.module_scope else "the module"
            if local == ["self"] or local == ["cls"]:
                record["tasksNote"] = "the items (`%s`) are held by the object %s() runs on: known only when the code runs" % (source[:80], where)
            else:
                record["tasksNote"] = "the items (`%s`) come from %s, local to %s(): known only when the code runs" % (
                    source[:80], ", ".join("`%s`" % n for n in local), where)
            return
        if unknown:
            record["tasksNote"] = "the items (`%s`) use %s, not defined in the module" % (source[:80], ", ".join(unknown))
            return
        record["tasks"] = {"kind": "expression", "module": self.module, "source": source}


def keyword(call, name):
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return base + "." + node.attr if base else None
    return None


def split_reference(qualified):
    """'pkg.mod.func' -> 'pkg.mod:func' (the last part is the function)."""
    module, _, name = qualified.rpartition(".")
    if not module or not identifier_ok(module) or not name.isidentifier():
        return None, "cannot tell which module `%s` lives in" % qualified
    return "%s:%s" % (module, name), None


def target_names(target):
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)) and all(isinstance(e, ast.Name) for e in target.elts):
        return [e.id for e in target.elts]
    return []


def bound_names(node):
    names = []
    targets = [node.target] if isinstance(node, (ast.For, ast.AsyncFor)) else [i.optional_vars for i in node.items if i.optional_vars is not None]
    for target in targets:
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name):
                names.append(sub.id)
    return names


def free_names(node):
    """Names an expression reads that it does not bind itself (comprehension targets, lambda args)."""
    bound = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.comprehension):
            bound.update(n.id for n in ast.walk(sub.target) if isinstance(n, ast.Name))
        if isinstance(sub, ast.Lambda):
            bound.update(a.arg for a in sub.args.args)
    return {sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id not in bound}


def scan_source(text, module, package, filename="<string>"):
    tree = ast.parse(text, filename)
    scanner = ModuleScan(text, module, package)
    scanner.visit(tree)
    return scanner.sites


def scan(spec):
    root = os.path.abspath(spec["root"])
    sites, errors, files = [], [], 0
    sources = spec.get("sources")  # tests: {"relative/path.py": text}
    if sources is not None:
        items = sorted(sources.items())
    else:
        items = ((os.path.relpath(p, root), None) for p in python_files(root))
    for relative, text in items:
        path = os.path.join(root, relative)
        files += 1
        try:
            if text is None:
                with open(path, "rb") as handle:
                    text = handle.read().decode("utf-8")
            if sources is not None:
                import_root, module = spec.get("importRoot", "."), relative[:-3].replace("/", ".")
                if module.endswith(".__init__"):
                    module = module[: -len(".__init__")]
            else:
                import_root, module = module_of(root, path)
            package = module if relative.endswith("__init__.py") else module.rpartition(".")[0]
            found = scan_source(text, module, package, relative)
        except (SyntaxError, UnicodeDecodeError, ValueError) as exc:
            errors.append({"file": relative.replace(os.sep, "/"), "message": "%s: %s" % (type(exc).__name__, exc)})
            continue
        importable = identifier_ok(module)
        for site in found:
            site["file"] = relative.replace(os.sep, "/")
            site["module"] = module
            site["importRoot"] = import_root
            if not importable and site["refused"] is None:
                site["refused"] = "the file is not importable as a module (`%s` is not a dotted name)" % module
                site["run"] = None
            sites.append(site)
    return {"ok": True, "files": files, "sites": sites, "errors": errors, "python": sys.version.split()[0]}


# ---------------------------------------------------------------- check


def check(spec):
    """Import the proposal as the runner would, pickle the function and the first task, run it."""
    for path in reversed(spec.get("paths", [])):
        sys.path.insert(0, path)
    result = {"ok": True, "stage": None, "message": None, "taskCount": None, "pickles": None, "seconds": None}
    try:
        fn = gilgate_runner.load_callable(spec["run"], "run")
        tasks = gilgate_runner.build_tasks(spec["tasks"])
    except gilgate_runner.Failed as failure:
        result.update(ok=False, stage=failure.kind, message=gilgate_runner.describe(failure.exc))
        return result
    result["taskCount"] = len(tasks)
    if not tasks:
        result.update(ok=False, stage="tasks", message="the tasks function returned no tasks")
        return result
    try:
        pickle.dumps(fn)
        pickle.dumps(tasks[0])
        result["pickles"] = True
    except Exception as exc:
        result["pickles"] = False
        result["pickleProblem"] = gilgate_runner.describe(exc)
    start = time.perf_counter()
    try:
        fn(tasks[0])
    except BaseException as exc:
        result.update(ok=False, stage="task", message=gilgate_runner.describe(exc))
        return result
    result["seconds"] = time.perf_counter() - start
    return result


MODES = {"scan": scan, "check": check}


def failure_result(exc):
    """Anything that escaped a mode: the scan's own failure shape."""
    return {"ok": False, "stage": "runner", "message": "%s: %s" % (type(exc).__name__, exc),
            "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))}


def main(argv):
    return gilgate_runner.serve(argv, MODES, "gilgate_scan.py", failure_result)


if __name__ == "__main__":
    gilgate_runner.leave(main(sys.argv))

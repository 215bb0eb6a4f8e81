"""The package layout (issues 10 and 20): an acyclic import graph, a core that never imports a topic folder,
no module importing the facade `naslab` itself, topics importing only topics of the same or earlier
notebooks (the course order), optional integrations that nothing imports, modules of at most 300 lines,
docstring-only topic packages, and a homework surface that resolves.

The graph is read with `ast` from every module of `naslab/`, function-local imports included, so a
lazy import inside a function counts as an edge just like a top-level one. Each rule is a function over
the imports, so a test can plant a violation and see the rule report it.
"""

import ast
import importlib
import inspect
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "naslab"
MAX_LINES = 250  # a module may be longer only if the README's module map says why (see below)
MAX_FUNCTION_LINES = 80


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _is_topic(module: str) -> bool:
    """naslab.<folder>.<module> (or the folder's package) is a topic; naslab.<module> is the core."""
    return module.count(".") >= 1 and (PKG / module.split(".")[1]).is_dir()


def _imports(module: str, source: str | None = None, *, is_package: bool | None = None) -> list[tuple[str, str, int]]:
    """(imported naslab module, imported name or '', line) for every import in `module`, nested ones too.

    `source` (default: the module's file) lets a test plant the text of a module that does not exist."""
    path = MODULES.get(module)
    tree = ast.parse(path.read_text() if source is None else source, filename=str(path or module))
    is_package = (path is not None and path.name == "__init__.py") if is_package is None else is_package
    package = module if is_package else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, "", node.lineno) for a in node.names if a.name.split(".")[0] == "naslab"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import: resolve against this module's package
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            if base.split(".")[0] != "naslab":
                continue
            for a in node.names:
                sub = f"{base}.{a.name}"
                out.append((sub, "", node.lineno) if sub in MODULES else (base, a.name, node.lineno))
    return out


def _graph() -> dict[str, set[str]]:
    graph = {}
    for module in MODULES:
        # importing a package only runs its docstring-only __init__ (naslab's is lazy), so an edge
        # to a package is no dependency; edges go to the modules themselves
        graph[module] = {m for m, _, _ in _imports(module) if m in MODULES and m != module
                         and MODULES[m].name != "__init__.py"}
    return graph


def test_the_walk_sees_function_local_imports():
    # oracle: naslab.proxies.build imports the proxy evaluators inside run_job, not at the top
    edges = {m for m, _, _ in _imports("naslab.proxies.build")}
    assert "naslab.proxies.proxy" in edges and "naslab.train" in edges


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path a -> ... -> a, or None (depth-first search)."""
    state, stack = {}, []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == "open":
                return stack[stack.index(n):] + [n]
            if n not in state and (found := visit(n)):
                return found
        stack.pop()
        state[m] = "done"
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_cycle_finder_finds_a_cycle():
    # oracle: hand-made graphs with and without a cycle
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_import_graph_is_acyclic():
    cycle = _find_cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_topic_and_core_are_told_apart():
    assert _is_topic("naslab.darts.search") and _is_topic("naslab.controller")
    assert not _is_topic("naslab.search") and not _is_topic("naslab.plots")


def test_core_never_imports_a_topic_folder():
    bad = [f"{m} imports {n} (line {line})" for m in MODULES if not _is_topic(m)
           for n, _, line in _imports(m) if _is_topic(n)]
    assert not bad, "the core must not import topic folders:\n" + "\n".join(bad)


# the course order: a topic folder may import topics of its own or earlier notebooks only
COURSE_ORDER = {"welcome": 0, "grid_vs_random": 1, "controller": 2, "proxies": 3, "net2net": 4, "darts": 5,
                "bakeoff": 6, "signals": 7, "hardware": 8}  # 07: its notebook is in the making
# optional integrations (Optuna, Ray Tune): they may import the core and the topics; nothing in naslab imports them
OPTIONAL = "integrations"


def _folder(module: str) -> str | None:
    """The topic folder of naslab.<folder>.<module> (or of the folder's package), None for the core."""
    return module.split(".")[1] if _is_topic(module) or module.count(".") >= 2 else None


def facade_imports(imports: dict[str, list[tuple[str, str, int]]]) -> list[str]:
    """Rule: no module inside naslab/ imports the facade `naslab` (`import naslab`, `from naslab import X` for a
    name X that is not a submodule, `from .. import X` resolving to it); it imports from the defining module."""
    return [f"{m} imports the facade naslab{f' (the name {name})' if name else ''} (line {line}); import from "
            "the module that defines the name" for m, edges in imports.items() for n, name, line in edges
            if n == "naslab" and m != "naslab"]


def course_order_violations(imports: dict[str, list[tuple[str, str, int]]]) -> list[str]:
    """Rule: a topic imports only topics of the same or earlier notebooks (COURSE_ORDER); a folder missing from
    the order is reported; nothing but naslab/integrations/ itself imports naslab/integrations/."""
    bad = []
    for m, edges in imports.items():
        here = _folder(m)
        if here is not None and here != OPTIONAL and here not in COURSE_ORDER:
            bad.append(f"{m}: the folder {here!r} has no place in the course order {COURSE_ORDER}")
        for n, _, line in edges:
            there = _folder(n)
            if there == OPTIONAL and here != OPTIONAL:
                bad.append(f"{m} imports {n} (line {line}): nothing in naslab imports the optional integrations")
            elif (here in COURSE_ORDER and there in COURSE_ORDER and COURSE_ORDER[there] > COURSE_ORDER[here]):
                bad.append(f"{m} (notebook {COURSE_ORDER[here]:02d}) imports {n} (line {line}), a topic of the "
                           f"later notebook {COURSE_ORDER[there]:02d}")
    return bad


def _all_imports() -> dict[str, list[tuple[str, str, int]]]:
    return {m: _imports(m) for m in MODULES}


def test_no_module_imports_the_facade():
    bad = facade_imports(_all_imports())
    assert not bad, "\n".join(bad)


def test_facade_rule_reports_a_planted_import():
    # oracle: hand-written module sources, one edge each
    back_door = "import naslab\n\n\ndef f():\n    return naslab.run_search\n"  # what bakeoff/race.py did
    planted = {"naslab.bakeoff.x": _imports("naslab.bakeoff.x", back_door),
               "naslab.y": _imports("naslab.y", "from naslab import Trial, search\n"),
               "naslab.darts.z": _imports("naslab.darts.z", "def f():\n    from .. import Proposal\n"),
               "naslab.ok": _imports("naslab.ok", "import naslab.search\nfrom naslab import search\n"
                                     "from naslab.trial import Trial\n")}
    assert facade_imports(planted) == [
        "naslab.bakeoff.x imports the facade naslab (line 1); import from the module that defines the name",
        "naslab.y imports the facade naslab (the name Trial) (line 1); import from the module that defines the name",
        "naslab.darts.z imports the facade naslab (the name Proposal) (line 2); import from the module that "
        "defines the name"]


def test_topics_follow_the_course_order():
    assert set(COURSE_ORDER) | {OPTIONAL} >= {p.name for p in PKG.iterdir() if (p / "__init__.py").exists()}
    bad = course_order_violations(_all_imports())
    assert not bad, "\n".join(bad)


def test_course_order_rule_reports_planted_imports():
    # oracle: a controller module (02) importing DARTS (05) lazily, a core module importing the integrations,
    # a folder with no place in the order; earlier topics, the core and the integrations' own imports pass
    src = "from naslab.grid_vs_random.spaces import course_space\nimport naslab.search\n\n\ndef f():\n" \
          "    from naslab.darts.search import run_darts\n"
    planted = {"naslab.controller.x": _imports("naslab.controller.x", src),
               "naslab.z": _imports("naslab.z", "from naslab.integrations.tune import run_tune\n"),
               "naslab.integrations.w": _imports("naslab.integrations.w", "from naslab.bakeoff.race import race\n"),
               "naslab.bakeoff.v": _imports("naslab.bakeoff.v", "from naslab.darts.genotype import Genotype\n"),
               "naslab.extra.u": []}
    assert course_order_violations(planted) == [
        "naslab.controller.x (notebook 02) imports naslab.darts.search (line 6), a topic of the later notebook 05",
        "naslab.z imports naslab.integrations.tune (line 1): nothing in naslab imports the optional integrations",
        f"naslab.extra.u: the folder 'extra' has no place in the course order {COURSE_ORDER}"]


def test_no_module_imports_a_private_name_of_another():
    bad = [f"{m} imports {name} from {n} (line {line})" for m in MODULES
           for n, name, line in _imports(m) if name.startswith("_") and n != m]
    assert not bad, "make these helpers public or keep them in their module:\n" + "\n".join(bad)


def readme_long_modules() -> dict[str, str]:
    """{module path under naslab/: reason} from the README's "Modules over 250 lines" list (may be empty)."""
    text = (ROOT / "README.md").read_text()
    if "#### Modules over 250 lines" not in text:
        return {}
    section = text.split("#### Modules over 250 lines", 1)[1].split("\n#", 1)[0]
    return dict(re.findall(r"^- `naslab/([\w/]+\.py)`: (.+)$", section, flags=re.M))


def long_modules(max_lines: int = MAX_LINES) -> dict[str, int]:
    return {str(p.relative_to(PKG)): n for p in MODULES.values() if (n := len(p.read_text().splitlines())) > max_lines}


def test_no_module_is_over_250_lines_unless_the_readme_says_why():
    excused = readme_long_modules()
    unexplained = {m: n for m, n in long_modules().items() if m not in excused}
    assert not unexplained, f"modules over {MAX_LINES} lines with no reason in the README: {unexplained}"
    assert all(len(why.split()) >= 5 for why in excused.values()), "give each long module a real reason"


def long_functions(source: str, max_lines: int = MAX_FUNCTION_LINES) -> list[tuple[str, int]]:
    """(name, lines) of every function or method over max_lines lines, its docstring included."""
    return [(n.name, n.end_lineno - n.lineno + 1) for n in ast.walk(ast.parse(source))
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.end_lineno - n.lineno + 1 > max_lines]


def test_the_function_length_rule_sees_a_long_method():
    body = "\n".join(f"        x{i} = {i}" for i in range(80))
    planted = f"class A:\n    def long(self):\n{body}\n\n    def short(self):\n        return 1\n"
    assert long_functions(planted) == [("long", 81)]


def test_no_function_is_over_80_lines():
    long = {f"{m}.{name}": n for m, p in MODULES.items() for name, n in long_functions(p.read_text())}
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines (split them by what they do): {long}"


def test_topic_packages_hold_a_docstring_only():
    topics = [p for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    assert {p.name for p in topics} >= {"grid_vs_random", "controller", "proxies", "net2net", "darts"}
    for p in topics:
        body = ast.parse((p / "__init__.py").read_text()).body
        assert len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant), \
            f"{p.name}/__init__.py must hold only its docstring (one canonical import path per name)"


def test_no_module_carries_its_topic_as_a_prefix():
    topics = {p.name for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    prefixes = topics | {"hpo", "net2net", "darts", "eas", "bench", "proxy"}
    bad = [m for m in MODULES if m.rsplit(".", 1)[-1].split("_")[0] in prefixes and "_" in m.rsplit(".", 1)[-1]]
    assert not bad, bad


def test_every_api_name_resolves_to_its_canonical_module():
    import naslab

    assert {"check_op", "validate_op", "SearchResult", "run_darts", "measure_preservation"} <= set(naslab._API)
    for name, module in naslab._API.items():
        assert module in MODULES, f"{name}: module {module} does not exist"
        obj = getattr(naslab, name)
        assert obj is getattr(importlib.import_module(module), name)
        if inspect.isclass(obj) or inspect.isfunction(obj):  # defined there, not re-exported from elsewhere
            assert obj.__module__ == module, f"naslab.{name} maps to {module} but is defined in {obj.__module__}"


def test_readme_api_table_names_resolve():
    import naslab

    text = (ROOT / "README.md").read_text()
    table = text.split("### Public API for homework", 1)[1].split("\n\n**", 1)[0]
    rows = [ln for ln in table.splitlines() if ln.startswith("| ") and not ln.startswith(("| area", "| plots"))]
    names = [n for row in rows for n in re.findall(r"`([A-Za-z_][A-Za-z0-9_.]*)`", row.split("|")[2])
             if "." not in n or n.startswith("naslab.")]  # not file names such as plots.py
    assert len(names) > 60
    for n in names:
        if "." in n:  # a dotted path: a module (naslab.plots) or a name in one (naslab.train.train)
            mod, _, attr = n.rpartition(".")
            assert n.replace(".", "/") + ".py" in {str(p.relative_to(ROOT)) for p in MODULES.values()} \
                or hasattr(importlib.import_module(mod), attr), n
        else:
            assert n in naslab._API, f"README lists {n!r}, which naslab.{n} does not provide"


def test_readme_module_map_matches_the_tree():
    text = (ROOT / "README.md").read_text()
    section = text.split("### Module map", 1)[1].split("\n### ", 1)[0]
    listed = set()
    for folder, names in re.findall(r"^\| `(?:naslab/)?([a-z0-9_]+/)?([a-z0-9_,{} ]+)\.py`", section, flags=re.M):
        for n in re.split(r"[{},\s]+", names):
            if n:
                listed.add(f"{folder}{n}.py")
    have = {str(p.relative_to(PKG)) for p in PKG.rglob("*.py") if p.name != "__init__.py"}
    assert listed == have, f"missing from README: {sorted(have - listed)}; not in the tree: {sorted(listed - have)}"


TESTS = ROOT / "tests"
# folders of tests/ that are not a naslab topic: the core (naslab/*.py), the course material (notebooks,
# handout, site, package checks) and the developer tools (tools/)
TEST_HOMES = {"core", "course", "tools"}


def test_tests_mirror_the_package():
    """A module's tests are found from its path: tests/<topic>/ for naslab/<topic>/, tests/core/ for the
    core, and no test file sits loose at the top of tests/."""
    topics = {p.name for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    folders = {p.name for p in TESTS.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert not sorted(TESTS.glob("test_*.py")), "move these into tests/<topic>/ or tests/core/"
    assert folders <= topics | TEST_HOMES, f"test folders with no naslab topic: {sorted(folders - topics - TEST_HOMES)}"
    assert topics <= folders, f"topics without a test folder: {sorted(topics - folders)}"
    prefixed = [str(p.relative_to(TESTS)) for d in topics for p in (TESTS / d).glob(f"test_{d}_*.py")]
    assert not prefixed, f"the folder already names the topic: {prefixed}"

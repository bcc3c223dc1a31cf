#!/bin/sh
# ckpt graph: the edges match what the jobs read and wrote; PATH restricts
# to that output's chain; dot renders it.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
cp -a "$TOP/examples/basic" p && cd p
check "$CKPT" record -- make -s
check "$CKPT" graph --json > g.json
python3 - <<'PY' || fail "graph --json: $(head -c 2000 g.json)"
import json
g = json.load(open("g.json"))
label = {n["id"]: n["label"] for n in g["nodes"]}
edges = {(label[e["from"]], label[e["to"]]) for e in g["edges"]}
jobs = [n["label"] for n in g["nodes"] if n["kind"] == "job"]
link = [j for j in jobs if j.startswith("cc -o prog")][0]
ar = [j for j in jobs if j.startswith("ar ")][0]
assert ("main.o", link) in edges and ("libutil.a", link) in edges, edges
assert ("util.o", ar) in edges and ("extra.o", ar) in edges
cc = [j for j in jobs if j.endswith("-c -o extra.o extra.c")][0]
assert ("extra.c", cc) in edges and ("include/extra.h", cc) in edges
assert (cc, "extra.o") in edges and (link, "prog") in edges
# extra.h is read by the extra.o job only
assert [t for f, t in edges if f == "include/extra.h"] == [cc]
PY
check "$CKPT" graph --json extra.o > g2.json
python3 - <<'PY' || fail "graph extra.o: $(cat g2.json)"
import json
g = json.load(open("g2.json"))
files = {n["label"] for n in g["nodes"] if n["kind"] == "file"}
assert "extra.c" in files and "extra.o" in files, files
assert "main.c" not in files and "prog" not in files, files
jobs = [n["label"] for n in g["nodes"] if n["kind"] == "job"]
assert any(j.startswith("ar ") for j in jobs), jobs   # its reader
PY
"$CKPT" graph nosuch 2>/dev/null && fail "graph accepted a path that is not an output"
if command -v dot >/dev/null; then
	"$CKPT" graph | dot -Tsvg > g.svg || fail "dot rejected the graph"
else
	"$CKPT" graph | grep -q "^digraph ckpt {" || fail "not a dot graph"
fi
pass

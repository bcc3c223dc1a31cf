#!/usr/bin/env python3
"""expect.py EVENTS.json EXPECT: check `ckpt dump --json` output against
expectations, one a line:  OP PATH RESULT [KEY=VALUE...]
RESULT is ok, or an errno name (ENOENT); PATH may use $T for the test
directory and shell wildcards; a leading ! means no such event may exist. Exits 1 listing
every expectation not met."""
import fnmatch, json, os, sys

events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
T = os.environ["T"]
bad = []
for line in (sys.stdin if sys.argv[2] == "-" else open(sys.argv[2])):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    neg = line.startswith("!")
    op, path, res, *kv = line.lstrip("!").split()
    path = path.replace("$T", T)
    extra = dict(x.split("=", 1) for x in kv)
    def match(e):
        if e["op"] != op or not fnmatch.fnmatchcase(e["path"], path):
            return False
        if res == "ok" and not e["ok"]:
            return False
        if res != "ok" and res != "*" and e.get("error") != res:
            return False
        for k, v in extra.items():
            if str(e.get(k)).replace("$T", T) != v.replace("$T", T) and \
               str(e.get(k)).lower() != v.lower():
                return False
        return True
    found = any(match(e) for e in events)
    if found == neg:
        bad.append(("unexpected: " if neg else "missing: ") + line)
for b in bad:
    print(b)
if bad:
    near = [e for e in events if T in e.get("path", "")]
    print("events on the test directory:")
    for e in near[:80]:
        print("  ", e["op"], e["path"], e.get("error", "ok"), e.get("to", ""))
sys.exit(1 if bad else 0)

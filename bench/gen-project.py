#!/usr/bin/env python3
"""gen-project.py DIR [NFILES] [NHEADERS] [EXTRA]: a compile-heavy make
project for the benchmarks: NFILES C files over a few directories, each
including a dozen of NHEADERS headers spread over 8 -I directories (so gcc
probes, and fails, in most of them), a static library and a program.
EXTRA data files (a large tree of untouched sources for `status`) go under
data/: the Makefile lists them with $(wildcard) and a step reads them all
into data.sum. Deterministic: the same arguments give the same tree."""
import os, random, sys

root = sys.argv[1]
nfiles = int(sys.argv[2]) if len(sys.argv) > 2 else 300
nheaders = int(sys.argv[3]) if len(sys.argv) > 3 else 120
extra = int(sys.argv[4]) if len(sys.argv) > 4 else 0
rnd = random.Random(42)
ninc = 8

# Each file opens with a comment block of ~1 KiB, as most real sources do
# (a licence, a description): it keeps the ratio of source bytes to object
# bytes near that of real C code rather than far below it.
words = ("buffer index table entry value count state flags device request "
         "handle queue cache node list parse check update return error lock "
         "the of a to is in for with this that when each only not be").split()
crnd = random.Random(7)
def comment(name):
    lines = ["/*", " * %s - generated for the ckpt benchmarks." % name, " *"]
    for _ in range(14):
        lines.append(" * " + " ".join(crnd.choice(words) for _ in range(10)))
    return "\n".join(lines) + "\n */\n"

def write(path, text):
    path = os.path.join(root, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)

headers = []
for h in range(nheaders):
    d = "inc%d" % (h % ninc)
    name = "h%03d.h" % h
    headers.append(name)
    write("%s/%s" % (d, name),
          comment(name) + "#ifndef H%03d\n#define H%03d\nstatic inline int h%03d(int x) "
          "{ return x * %d + %d; }\n#endif\n" % (h, h, h, h + 1, h % 7))

srcs = []
for i in range(nfiles):
    d = "src/d%02d" % (i % 16)
    inc = rnd.sample(range(nheaders), 12)
    body = comment("f%04d.c" % i)
    body += "".join('#include "%s"\n' % headers[h] for h in inc)
    body += "#include <stdio.h>\n#include <string.h>\n"
    body += "int f%04d(int x)\n{\n\tint r = x;\n" % i
    body += "".join("\tr = h%03d(r) %% 1000003;\n" % h for h in inc)
    body += "\treturn r;\n}\n"
    write("%s/f%04d.c" % (d, i), body)
    srcs.append("%s/f%04d.c" % (d, i))

write("src/main.c", "".join("int f%04d(int);\n" % i for i in range(nfiles)) +
      "#include <stdio.h>\nint main(void)\n{\n\tlong s = 0;\n" +
      "".join("\ts += f%04d(%d);\n" % (i, i) for i in range(nfiles)) +
      '\tprintf("%ld\\n", s);\n\treturn 0;\n}\n')

incflags = " ".join("-Iinc%d" % k for k in range(ninc))
write("Makefile", """CC = cc
CFLAGS = -O1
CPPFLAGS = %s
SRCS = $(sort $(wildcard src/d*/*.c))
OBJS = $(patsubst src/%%.c,obj/%%.o,$(SRCS))

.PHONY: all
all:%s

prog: obj/main.o libbench.a
	$(CC) -o $@ obj/main.o libbench.a

libbench.a: $(OBJS)
	ar rcs $@ $(OBJS)

obj/%%.o: src/%%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CPPFLAGS) -MMD -c -o $@ $<

-include $(OBJS:.o=.d)
""" % (incflags, " prog data.sum" if extra else " prog") + ("" if not extra else """
DATA = $(wildcard data/*/*.txt)
data.sum: $(DATA)
	find data -type f -name '*.txt' | LC_ALL=C sort | xargs cat | cksum > $@
"""))

for e in range(extra):
    write("data/x%03d/n%06d.txt" % (e // 800, e),
          "note %d: %08x\n" % (e, rnd.getrandbits(32)))

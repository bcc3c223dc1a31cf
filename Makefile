# ckpt - incremental builds from a traced checkpoint.
# `make help` lists the targets. User CFLAGS are added to ours, not replacing
# the warnings; PREFIX and DESTDIR work as usual.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
CC ?= cc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wformat=2 -Wno-format-truncation
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS)

B := build
SHIM_SRC := preload/emit.c preload/wrap_fs.c preload/wrap_exec.c
SHIM_OBJ := $(SHIM_SRC:preload/%.c=$(B)/preload/%.o)
AN_SRC := $(wildcard analyzer/*.c)
AN_LIB_OBJ := $(patsubst analyzer/%.c,$(B)/analyzer/%.o,$(filter-out analyzer/main.c,$(AN_SRC)))
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/unit/%)

all: $(B)/libckpt.so $(B)/ckpt ## build the shim and the analyzer

$(B)/preload/%.o: preload/%.c preload/*.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -D_FORTIFY_SOURCE=0 \
		-fno-stack-protector -c -o $@ $<

# Fortification is off in the shim: its wrappers are the fortified names.
# One read-only segment for code and constants (-z noseparate-code): every
# process of a build maps the shim, and each segment costs it a mapping and
# page faults of its own. Its calls into libc are bound at load (-z now):
# a lazy binding saves and restores every vector register, and a process
# of a build makes a dozen of them at start-up.
$(B)/libckpt.so: $(SHIM_OBJ)
	$(CC) $(ALL_CFLAGS) -shared -Wl,-z,noseparate-code -Wl,-z,now -o $@ $^ \
		-ldl -lpthread $(LDFLAGS)

$(B)/analyzer/%.o: analyzer/%.c analyzer/*.h preload/trace.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Ipreload -c -o $@ $<

$(B)/libckpt-analyzer.a: $(AN_LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(B)/ckpt: $(B)/analyzer/main.o $(B)/libckpt-analyzer.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lxxhash -lelf -lzstd -pthread $(LDFLAGS)

$(B)/tests/unit/%: tests/unit/%.c $(B)/libckpt-analyzer.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Ianalyzer -Ipreload -o $@ $^ -lcmocka -lxxhash -lelf -lzstd -pthread

deps: ## install the Debian packages the build and tests need (as root)
	sh tests/install-deps.sh

deps-kernel: ## install what the kernel test needs (linux-source-6.1, ...)
	sh examples/kernel/deps.sh

deps-nix: ## install what the Nix test needs (nix-bin)
	sh examples/nix/deps.sh

deps-autotools: ## fetch hello, libogg, dash, zlib, busybox from Debian's archive (checked) for check-autotools
	sh examples/autotools/deps.sh

check: all $(UNIT_BIN) ## run the unit and end-to-end tests
	sh tests/run-tests.sh $(UNIT_BIN)

check-all: check check-autotools check-nix check-kernel ## every test: what CI runs (.ci/run)

check-autotools: all deps-autotools ## hello, libogg (autotools, CMake), dash, zlib, busybox recorded, edited, restored in fresh trees
	sh examples/autotools/check.sh

check-kernel: all deps-kernel ## record, edit and restore a real tinyconfig kernel
	sh examples/kernel/check.sh

check-nix: all deps-nix ## the checkpointBuildTools drop-in under real nix-build
	sh examples/nix/check.sh

demo: all ## record the bundled example, edit a fresh copy, restore, make
	sh examples/demo.sh

bench-trace: all ## tracing overhead: untraced vs an empty preload library vs traced vs strace -f
	sh bench/bench-trace.sh

bench-restore: all ## restore vs the copy-everything approach
	sh bench/bench-restore.sh

bench-create: all ## one restored file: unnamed + linkat vs O_CREAT|O_EXCL
	sh bench/bench-create.sh

bench-kernel: all deps-kernel ## the kernel: tracing overhead, restore vs others
	sh bench/bench-kernel.sh

bench-nix: all deps-nix ## ckpt's Nix drop-in vs checkpointBuildTools, under nix-build
	sh bench/bench-nix.sh

install: all ## install ckpt and libckpt.so under $(DESTDIR)$(PREFIX)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)
	install -m 755 $(B)/ckpt $(DESTDIR)$(BINDIR)/ckpt
	install -m 755 $(B)/libckpt.so $(DESTDIR)$(LIBDIR)/libckpt.so
	@if [ -z "$(DESTDIR)" ] && command -v ldconfig >/dev/null; then ldconfig; fi

clean: ## remove build products
	rm -rf $(B)

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		sed 's/:.*## /\t/' | expand -t 16

.PHONY: all deps deps-kernel deps-nix deps-autotools check check-all check-kernel \
	check-nix check-autotools demo \
	bench-trace bench-restore bench-create bench-kernel bench-nix install clean help

#include "cmd.h"
#include "ckpt.h"
#define STUB(n) int cmd_##n(int argc, char **argv) { (void)argc; (void)argv; return error(#n ": not yet"), 1; }
STUB(compdb) STUB(graph)

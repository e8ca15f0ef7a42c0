/* cycle_a - test module: depends on cycle_b, which depends on it. */
#include <junction/junction.h>

static const char *const deps[] = {"cycle_b", NULL};
JN_MODULE(.name = "cycle_a", .version = "1.0", .depends = deps);

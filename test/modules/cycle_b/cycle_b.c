/* cycle_b - test module: depends on cycle_a, which depends on it. */
#include <junction/junction.h>

static const char *const deps[] = {"cycle_a", NULL};
JN_MODULE(.name = "cycle_b", .version = "1.0", .depends = deps);

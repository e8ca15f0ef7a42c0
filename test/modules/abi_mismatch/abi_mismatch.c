/*
 * abi_mismatch - a test-only module built for a future SDK ABI.
 *
 * Its descriptor is written by hand instead of with JN_MODULE() so that it
 * can claim abi_major = JN_SDK_MAJOR + 1 (minor 3). The loader must refuse
 * it before calling anything in it, with a message that names both the
 * module's ABI version and the core's (DESIGN.md, "The module contract";
 * STYLE.md rule 3). Used by test/integration/t_abi.sh.
 */
#include <junction/junction.h>

static int abi_load(jn_module_t *m)
{
	/* Must never run: the loader refuses the module first. */
	jn_log_err(m, "abi_mismatch: load() was called despite the ABI mismatch");
	return 0;
}

JN_API const jn_module_desc_t jn_module_descriptor = {
	.abi_major = JN_SDK_MAJOR + 1,
	.abi_minor = 3,
	.size = sizeof(jn_module_desc_t),
	.name = "abi_mismatch",
	.version = "7.7.7",
	.description = "claims an ABI the core does not implement",
	.load = abi_load,
};

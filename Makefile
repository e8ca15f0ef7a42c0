# Junction - build, run, test, bench, fuzz, install.
#
#   make            build/junctiond, build/junctionctl, build/modules/*.so
#   make run        install missing packages, build, run with etc/junction.yaml
#   make test       install test packages, build normal + ASan/UBSan, run all
#   make bench      benchmarks (never part of make test)
#   make fuzz       libFuzzer targets (clang) in build-fuzz/
#   make install    PREFIX=/usr/local DESTDIR=
#
# O=DIR selects the build directory; SAN=1 builds with AddressSanitizer and
# UndefinedBehaviorSanitizer; FUZZ=1 (with CC=clang) adds libFuzzer
# instrumentation.

VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
LIBDIR     ?= $(PREFIX)/lib
MODULEDIR  ?= $(LIBDIR)/junction/modules
INCLUDEDIR ?= $(PREFIX)/include
SYSCONFDIR ?= $(PREFIX)/etc/junction
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

O   ?= build
CC  ?= gcc
PKG_CONFIG ?= pkg-config

CORE_PKGS := sofia-sip-ua yaml-0.1 libmicrohttpd jansson
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(CORE_PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(CORE_PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
BASE_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -Isdk/include -MMD -MP

ifeq ($(SAN),1)
BASE_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDSAN := -fsanitize=address,undefined
endif
ifeq ($(FUZZ),1)
BASE_CFLAGS += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -DJN_FUZZING
LDSAN := -fsanitize=address,undefined
endif

CORE_CFLAGS := $(BASE_CFLAGS) $(PKG_CFLAGS) -fvisibility=hidden -Icore \
	-DJN_VERSION='"$(VERSION)"' -DJN_MODULEDIR='"$(MODULEDIR)"'
MOD_CFLAGS  := $(BASE_CFLAGS) -fPIC -fvisibility=hidden

# ---- core ---------------------------------------------------------------
CORE_SRC := $(wildcard core/*.c core/script/*.c)
CORE_LIB_SRC := $(filter-out core/main.c,$(CORE_SRC))
CORE_OBJ := $(CORE_LIB_SRC:%.c=$(O)/%.o)

all: $(O)/junctiond $(O)/junctionctl modules test-modules prompts

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) $(CFLAGS) -c $< -o $@

$(O)/libjcore.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

# Only JN_API symbols have default visibility, so --export-dynamic exports
# exactly the SDK to modules.
$(O)/junctiond: $(O)/core/main.o $(O)/libjcore.a
	$(CC) $(LDSAN) -Wl,--export-dynamic -o $@ $^ $(PKG_LIBS) -ldl -lm -lpthread

$(O)/junctionctl: ctl/junctionctl.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -DJN_VERSION='"$(VERSION)"' -DJN_SYSCONFDIR='"$(SYSCONFDIR)"' \
		$(shell $(PKG_CONFIG) --cflags jansson) $< -o $@ \
		$(LDSAN) $(shell $(PKG_CONFIG) --libs jansson)

# ---- modules: modules/NAME/*.c -> $(O)/modules/NAME.so ------------------
# A module may set NAME_CFLAGS and NAME_LIBS in modules/NAME/module.mk
# (e.g. from pkg-config). Its tests sit beside it in modules/NAME/tests/:
# test_*.c (cmocka, linked with the module's sources, NAME_TEST_SRCS from its
# module.mk and the core library)
# and t_*.sh (integration, run by scripts/run-tests.sh).
MODULES := $(notdir $(wildcard modules/*))
-include $(wildcard modules/*/module.mk)
MOD_SO := $(MODULES:%=$(O)/modules/%.so)

define module_rule
$(O)/modules/$(1).so: $$(wildcard modules/$(1)/*.c modules/$(1)/*.h) $$(wildcard sdk/include/junction/*.h)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(MOD_CFLAGS) $$($(1)_CFLAGS) $$(CFLAGS) -shared -o $$@ $$(filter %.c,$$^) $$(LDSAN) $$($(1)_LIBS)

$(O)/modules/$(1)/tests/%: modules/$(1)/tests/%.c $$(wildcard modules/$(1)/*.c modules/$(1)/*.h) $$($(1)_TEST_SRCS) $(O)/libjcore.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CORE_CFLAGS) $$($(1)_CFLAGS) $$(CFLAGS) -Imodules/$(1) $$(shell $$(PKG_CONFIG) --cflags cmocka) \
		$$< $$(wildcard modules/$(1)/*.c) $$($(1)_TEST_SRCS) -o $$@ $(O)/libjcore.a $$(LDSAN) $$($(1)_LIBS) $$(PKG_LIBS) \
		$$(shell $$(PKG_CONFIG) --libs cmocka) -ldl -lm -lpthread

# libFuzzer targets of a module: modules/NAME/tests/fuzz_X.c -> $(O)/fuzz_X
$(O)/fuzz_%: modules/$(1)/tests/fuzz_%.c $$(wildcard modules/$(1)/*.c modules/$(1)/*.h) $(O)/libjcore.a
	$$(CC) $$(CORE_CFLAGS) $$($(1)_CFLAGS) $$(CFLAGS) -Imodules/$(1) -fsanitize=fuzzer,address,undefined \
		$$< $$(wildcard modules/$(1)/*.c) -o $$@ $(O)/libjcore.a $$($(1)_LIBS) $$(PKG_LIBS) -ldl -lm -lpthread
endef
$(foreach m,$(MODULES),$(eval $(call module_rule,$(m))))

MOD_FUZZ_SRC := $(wildcard modules/*/tests/fuzz_*.c)

MOD_UNIT_SRC := $(wildcard modules/*/tests/test_*.c)
MOD_UNIT_BIN := $(MOD_UNIT_SRC:%.c=$(O)/%)

modules: $(MOD_SO)

# Test-only modules: test/modules/NAME/*.c -> $(O)/test-modules/NAME.so
TEST_MODULES := $(notdir $(wildcard test/modules/*))
TEST_MOD_SO := $(TEST_MODULES:%=$(O)/test-modules/%.so)
define test_module_rule
$(O)/test-modules/$(1).so: $$(wildcard test/modules/$(1)/*.c) $$(wildcard sdk/include/junction/*.h)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(MOD_CFLAGS) $$(CFLAGS) -shared -o $$@ $$(filter %.c,$$^) $$(LDSAN)
endef
$(foreach m,$(TEST_MODULES),$(eval $(call test_module_rule,$(m))))

test-modules: $(TEST_MOD_SO)

# ---- unit tests: test/unit/test_X.c -> $(O)/test/unit/test_X -----------
UNIT_SRC := $(wildcard test/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:%.c=$(O)/%)
$(O)/test/unit/%: test/unit/%.c $(O)/libjcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) $(CFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka) $< -o $@ \
		$(O)/libjcore.a $(LDSAN) $(PKG_LIBS) $(shell $(PKG_CONFIG) --libs cmocka) -ldl -lm -lpthread

unit: $(UNIT_BIN) $(MOD_UNIT_BIN)

# ---- benchmarks: test/bench/bench_X.c -> $(O)/test/bench/bench_X ----------
BENCH_SRC := $(wildcard test/bench/bench_*.c)
BENCH_BIN := $(BENCH_SRC:%.c=$(O)/%)
$(O)/test/bench/%: test/bench/%.c $(O)/libjcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) $(CFLAGS) $< -o $@ $(O)/libjcore.a $(LDSAN) $(PKG_LIBS) -ldl -lm -lpthread

# The media benchmark runs the engine in-process: linked with the media
# module's sources like its unit tests.
$(O)/test/bench/bench_media: test/bench/bench_media.c \
		$(wildcard modules/media/*.c modules/media/*.h) $(O)/libjcore.a
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) $(media_CFLAGS) $(CFLAGS) -Imodules/media $< $(wildcard modules/media/*.c) \
		-o $@ $(O)/libjcore.a $(LDSAN) $(media_LIBS) $(PKG_LIBS) -ldl -lm -lpthread

# ---- fuzz targets: test/fuzz/fuzz_X.c -> build-fuzz/fuzz_X (clang) ------
FUZZ_SRC := $(wildcard test/fuzz/fuzz_*.c)
fuzz:
	$(MAKE) O=build-fuzz CC=clang FUZZ=1 OPT=-O1 fuzz-targets

fuzz-targets: $(FUZZ_SRC:test/fuzz/%.c=$(O)/%) $(foreach f,$(MOD_FUZZ_SRC),$(O)/$(basename $(notdir $(f))))
$(O)/fuzz_%: test/fuzz/fuzz_%.c $(O)/libjcore.a
	$(CC) $(CORE_CFLAGS) $(CFLAGS) -fsanitize=fuzzer,address,undefined $< -o $@ \
		$(O)/libjcore.a $(PKG_LIBS) -ldl -lm -lpthread

# ---- prompts: etc/prompts.txt -> $(O)/prompts/*.wav (espeak-ng + sox) ----
# Generated at build time: the tree ships no binary audio.
$(O)/prompts/.stamp: etc/prompts.txt scripts/make-prompts.sh
	rm -rf $(O)/prompts
	./scripts/make-prompts.sh etc/prompts.txt $(O)/prompts
	touch $@

prompts: $(O)/prompts/.stamp

# ---- top-level targets ------------------------------------------------
deps:
	./scripts/install-deps.sh

run: deps
	$(MAKE) all
	$(O)/junctiond -c etc/junction.yaml

test:
	./scripts/install-deps.sh --test
	./scripts/run-tests.sh

bench:
	./scripts/install-deps.sh --bench
	./scripts/run-bench.sh

# ---- install --------------------------------------------------------
SDK_HEADERS := $(wildcard sdk/include/junction/*.h)
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MODULEDIR) \
		$(DESTDIR)$(INCLUDEDIR)/junction $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(SYSCONFDIR)/routes
	install -m 755 $(O)/junctiond $(DESTDIR)$(SBINDIR)/junctiond
	install -m 755 $(O)/junctionctl $(DESTDIR)$(BINDIR)/junctionctl
	$(if $(MOD_SO),install -m 644 $(MOD_SO) $(DESTDIR)$(MODULEDIR)/)
	install -m 644 $(SDK_HEADERS) $(DESTDIR)$(INCLUDEDIR)/junction/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
		-e 's|@MODULEDIR@|$(MODULEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
		packaging/junction-sdk.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/junction-sdk.pc
	install -m 644 etc/junction.yaml $(DESTDIR)$(SYSCONFDIR)/junction.yaml
	install -m 644 etc/routes/*.jn $(DESTDIR)$(SYSCONFDIR)/routes/
	install -d $(DESTDIR)$(PREFIX)/share/junction/prompts
	install -m 644 $(O)/prompts/*.wav $(DESTDIR)$(PREFIX)/share/junction/prompts/

clean:
	rm -rf build build-asan build-fuzz

format:
	clang-format -i $(shell git ls-files '*.c' '*.h')

.PHONY: all modules test-modules unit fuzz fuzz-targets deps run test bench install clean format prompts

-include $(shell find $(O) -name '*.d' 2>/dev/null)

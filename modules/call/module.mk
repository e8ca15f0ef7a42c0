# The call module drives sofia-sip's NTA dialogs directly and answers REST
# with jansson, linking both itself as a third-party module would.
call_CFLAGS := $(shell $(PKG_CONFIG) --cflags sofia-sip-ua jansson)
call_LIBS := $(shell $(PKG_CONFIG) --libs sofia-sip-ua jansson)
# call.play(NAME) finds NAME.wav in the prompt_dir parameter; unset, in the
# prompts this build generated ($(O)/prompts), else the installed ones.
call_CFLAGS += -DCALL_BUILD_PROMPTS='"$(abspath $(O))/prompts"' \
	-DCALL_INSTALLED_PROMPTS='"$(PREFIX)/share/junction/prompts"'

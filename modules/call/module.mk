# The call module drives sofia-sip's NTA dialogs directly and answers REST
# with jansson, linking both itself as a third-party module would.
call_CFLAGS := $(shell $(PKG_CONFIG) --cflags sofia-sip-ua jansson)
call_LIBS := $(shell $(PKG_CONFIG) --libs sofia-sip-ua jansson)

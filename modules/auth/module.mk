auth_CFLAGS := $(shell $(PKG_CONFIG) --cflags libcrypto jansson sofia-sip-ua)
auth_LIBS := $(shell $(PKG_CONFIG) --libs libcrypto jansson sofia-sip-ua)

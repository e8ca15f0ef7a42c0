nat_CFLAGS := $(shell $(PKG_CONFIG) --cflags sofia-sip-ua)
nat_LIBS := $(shell $(PKG_CONFIG) --libs sofia-sip-ua)

registrar_CFLAGS := $(shell $(PKG_CONFIG) --cflags sofia-sip-ua jansson)
registrar_LIBS := $(shell $(PKG_CONFIG) --libs sofia-sip-ua jansson)

# The proxy drives sofia-sip's NTA directly (client transactions per
# branch), so it links the library itself, as a third-party module would.
proxy_CFLAGS := $(shell $(PKG_CONFIG) --cflags sofia-sip-ua)
proxy_LIBS := $(shell $(PKG_CONFIG) --libs sofia-sip-ua)

# The dispatcher sends its OPTIONS probes as sofia-sip NTA client
# transactions and answers REST with jansson, so it links both itself.
dispatcher_CFLAGS := $(shell $(PKG_CONFIG) --cflags sofia-sip-ua jansson)
dispatcher_LIBS := $(shell $(PKG_CONFIG) --libs sofia-sip-ua jansson)

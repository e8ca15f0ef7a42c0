# The media engine links its codecs, SRTP, audio files and sofia-sip's SDP
# parser itself, as a third-party module would.
media_CFLAGS := $(shell $(PKG_CONFIG) --cflags sofia-sip-ua spandsp libbcg729 opus libsrtp2 sndfile speexdsp)
media_LIBS := $(shell $(PKG_CONFIG) --libs sofia-sip-ua spandsp libbcg729 opus libsrtp2 sndfile speexdsp) -lm -lpthread
# The unit tests drive DTMF through the dtmf module's pure parts (the module
# itself does not depend on dtmf: callers hand it the API table).
media_TEST_SRCS := modules/dtmf/rfc4733.c modules/dtmf/inband.c modules/dtmf/dtmf_event.c

# The media engine links its codecs, SRTP, audio files and sofia-sip's SDP
# parser itself, as a third-party module would.
media_CFLAGS := $(shell $(PKG_CONFIG) --cflags sofia-sip-ua spandsp libbcg729 opus libsrtp2 sndfile speexdsp)
media_LIBS := $(shell $(PKG_CONFIG) --libs sofia-sip-ua spandsp libbcg729 opus libsrtp2 sndfile speexdsp) -lm -lpthread

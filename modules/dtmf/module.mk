# In-band DTMF detection and generation come from spandsp (dtmf_rx/dtmf_tx).
dtmf_CFLAGS := $(shell $(PKG_CONFIG) --cflags spandsp)
dtmf_LIBS := $(shell $(PKG_CONFIG) --libs spandsp) -lm

db_sqlite_CFLAGS := $(shell $(PKG_CONFIG) --cflags sqlite3)
db_sqlite_LIBS := $(shell $(PKG_CONFIG) --libs sqlite3) -lpthread

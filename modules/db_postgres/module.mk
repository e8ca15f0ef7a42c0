db_postgres_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpq)
db_postgres_LIBS := $(shell $(PKG_CONFIG) --libs libpq)

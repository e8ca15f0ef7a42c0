-- Junction schema for SQLite. Idempotent: scripts/db-setup.sh applies it to
-- a new or an existing database.
--   scripts/db-setup.sh sqlite /var/lib/junction/junction.db

CREATE TABLE IF NOT EXISTS version (
	table_name TEXT PRIMARY KEY,
	table_version INTEGER NOT NULL
);

-- Credentials for digest authentication (RFC 7616): HA1 only, never the
-- password. ha1_md5 = MD5(username:realm:password), ha1_sha256 likewise
-- with SHA-256; the realm is the domain.
CREATE TABLE IF NOT EXISTS subscriber (
	username TEXT NOT NULL,
	domain TEXT NOT NULL,
	ha1_md5 TEXT NOT NULL DEFAULT '',
	ha1_sha256 TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (username, domain)
);

-- Registrar bindings (RFC 3261 10.3, RFC 3327 Path, RFC 5626 instance and
-- reg-id). expires is absolute (Unix time), q is the q-value times 1000.
CREATE TABLE IF NOT EXISTS location (
	aor TEXT NOT NULL,
	contact TEXT NOT NULL,
	expires INTEGER NOT NULL,
	q INTEGER NOT NULL DEFAULT 1000,
	call_id TEXT NOT NULL DEFAULT '',
	cseq INTEGER NOT NULL DEFAULT 0,
	path TEXT,
	received TEXT,
	instance TEXT,
	reg_id INTEGER NOT NULL DEFAULT 0,
	user_agent TEXT,
	socket TEXT,
	proto TEXT,
	UNIQUE (aor, contact)
);
CREATE INDEX IF NOT EXISTS location_expires ON location (expires);

INSERT OR IGNORE INTO version (table_name, table_version) VALUES ('subscriber', 1);
INSERT OR IGNORE INTO version (table_name, table_version) VALUES ('location', 1);

-- Destination sets of the dispatcher module (loaded at start with db_url).
CREATE TABLE IF NOT EXISTS dispatcher (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	setid INTEGER NOT NULL,
	destination TEXT NOT NULL,
	weight INTEGER NOT NULL DEFAULT 1,
	priority INTEGER NOT NULL DEFAULT 0,
	attrs TEXT NOT NULL DEFAULT '',
	UNIQUE (setid, destination)
);
INSERT OR IGNORE INTO version (table_name, table_version) VALUES ('dispatcher', 1);

/// The SQLite schema of a store, format version 1. `docs/store.md` documents it.
enum StoreSchema {
  /// Stored in `PRAGMA user_version` and in `meta.format_version`.
  static let formatVersion = 1
  /// `PRAGMA application_id`: "MLOG".
  static let applicationId: Int32 = 0x4D4C_4F47

  static let create = """
    CREATE TABLE meta(
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;
    CREATE TABLE dictionaries(
      id INTEGER PRIMARY KEY CHECK (id > 0),
      created_at TEXT NOT NULL,
      bytes BLOB NOT NULL
    ) STRICT;
    CREATE TABLE events(
      seq INTEGER PRIMARY KEY CHECK (seq > 0),
      id TEXT NOT NULL UNIQUE,
      type TEXT NOT NULL,
      occurred_at TEXT NOT NULL,
      occurred_us INTEGER NOT NULL,
      recorded_at TEXT NOT NULL,
      recorded_us INTEGER NOT NULL,
      dict_id INTEGER NOT NULL DEFAULT 0,
      payload BLOB NOT NULL,
      hash BLOB NOT NULL
    ) STRICT;
    CREATE INDEX events_by_occurrence ON events(occurred_us, seq);
    CREATE INDEX events_by_type ON events(type, seq);
    CREATE TABLE names(
      kind TEXT NOT NULL,
      name TEXT NOT NULL,
      seq INTEGER NOT NULL,
      PRIMARY KEY (kind, name)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE resolutions(
      item_seq INTEGER PRIMARY KEY,
      seq INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE retractions(
      target_seq INTEGER PRIMARY KEY,
      seq INTEGER NOT NULL
    ) STRICT;
    """
}

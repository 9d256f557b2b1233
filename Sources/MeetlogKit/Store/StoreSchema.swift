/// The SQLite schema of a store, format version 3. `docs/store.md` documents it.
///
/// Every column earns its bytes: what the payload already holds (the id, the
/// `occurred_at` text) is not repeated, lookups by id and by meeting or item name go
/// through 64-bit keys (`StoreKey`) confirmed against the payload, and the recorded time
/// is kept once per commit, not once per event.
enum StoreSchema {
  /// Stored in `PRAGMA user_version` and in `meta.format_version`. Format 3 has format
  /// 2's schema; only a commit's last event stores its whole hash link, the others its
  /// first `HashChain.storedPrefix` bytes.
  static let formatVersion = 3
  /// A format-2 store is read as it is (its events all store whole links).
  static let oldestReadableFormat = 2
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
      log_size INTEGER NOT NULL,
      samples INTEGER NOT NULL,
      bytes BLOB NOT NULL
    ) STRICT;
    CREATE TABLE commits(
      first_seq INTEGER PRIMARY KEY CHECK (first_seq > 0),
      recorded_us INTEGER NOT NULL,
      recorded_at TEXT
    ) STRICT;
    CREATE INDEX commits_by_time ON commits(recorded_us);
    CREATE TABLE events(
      seq INTEGER PRIMARY KEY CHECK (seq > 0),
      type INTEGER NOT NULL,
      occurred_us INTEGER NOT NULL,
      dict_id INTEGER NOT NULL,
      payload BLOB NOT NULL,
      hash BLOB NOT NULL
    ) STRICT;
    CREATE INDEX events_by_occurrence ON events(occurred_us);
    CREATE TABLE ids(
      key INTEGER NOT NULL,
      seq INTEGER NOT NULL,
      PRIMARY KEY (key, seq)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE names(
      key INTEGER NOT NULL,
      seq INTEGER NOT NULL,
      PRIMARY KEY (key, seq)
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

  /// The `type` column: 1–7 in the SPEC's order.
  static func typeCode(_ type: EventType) -> Int64 {
    Int64(EventType.allCases.firstIndex(of: type)! + 1)
  }

  static func type(code: Int64) -> EventType? {
    (1...Int64(EventType.allCases.count)).contains(code) ? EventType.allCases[Int(code - 1)] : nil
  }
}

/// The 64-bit keys of the `ids` and `names` tables: FNV-1a of the text, stable across
/// machines and versions. Two texts may share a key, so every lookup confirms the match
/// against the stored event.
enum StoreKey {
  static func id(_ id: String) -> Int64 { fnv1a(0, id) }

  static func name(_ kind: NameKind, _ name: String) -> Int64 { fnv1a(kind == .meeting ? 1 : 2, name) }

  private static func fnv1a(_ tag: UInt8, _ text: String) -> Int64 {
    let seed = FNV1a.hash(CollectionOfOne(tag))
    // Over the contiguous bytes when the String has them (native Strings do).
    let hash = text.utf8.withContiguousStorageIfAvailable { FNV1a.hash($0, seed: seed) } ?? FNV1a.hash(text.utf8, seed: seed)
    return Int64(bitPattern: hash)
  }
}

/// FNV-1a, 64 bits: the one hash meetlog keys things by (index tables, interned strings,
/// item lookups). Stable across machines and versions, which the stored keys need.
enum FNV1a {
  static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325

  @inline(__always)
  static func hash<S: Sequence<UInt8>>(_ bytes: S, seed: UInt64 = offsetBasis) -> UInt64 {
    var hash = seed
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return hash
  }
}

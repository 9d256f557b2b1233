import Synchronization

/// A snapshot's items, read, decompressed, decoded and rewound to a checkpoint on a
/// thread of their own (through a connection of its own), while the calling thread
/// reads the checkpoints, applies their relation deltas and decodes the events after
/// the checkpoint.
///
/// On a million-event log the items are 17 MB once decompressed, about half of what
/// `state --as-of` did; the relations and the events after a checkpoint (up to 4,000)
/// need none of them until the first event is folded.
final class RewoundItems {
  private let shared = Shared()
  private let dues = HandOff<[DueChange]>(capacity: 1)
  private let thread: BackgroundThread?
  /// The work, when no thread could start: it runs once the dues are given.
  private var deferred: (@Sendable () -> Void)?

  /// Starts reading `snapshot`'s items part from the store at `path` (or taking
  /// `stored`, the part as stored, for a store in memory), to rewind them to `cut` once
  /// `rewind(dues:)` gives the checkpoints' due changes; `keepDetails` as for `StateFold`.
  init(path: String, snapshot: SnapshotInfo, stored: [UInt8]?, cut: Int64, keepDetails: Bool) {
    let (shared, dues) = (self.shared, self.dues)
    let work: @Sendable () -> Void = {
      var items: ItemStore?
      if let decoded = stored.flatMap({ Self.decoded($0, cut: cut) }) ?? Self.read(path, snapshot, cut: cut),
        let changes = dues.take()
      {
        var store = decoded.store
        if CheckpointRecorder.rewind(&store, to: cut, dues: changes, slotCount: decoded.count) {
          store.keepDetails = keepDetails
          items = store
        }
      }
      shared.value = items
      shared.ready.store(true, ordering: .releasing)
    }
    thread = BackgroundThread(work)
    if thread == nil { deferred = work }
  }

  /// Gives the due changes of the checkpoints up to the cut; the rewind waits for them
  /// (and, without a thread, runs now).
  func rewind(dues changes: [DueChange]) {
    dues.put(changes)
    if let work = deferred {
      deferred = nil
      work()
    }
  }

  /// Whether `take` would return without waiting.
  var isReady: Bool { shared.ready.load(ordering: .acquiring) }

  /// The items, once the thread has made them; nil when the part is damaged or does not
  /// rewind to the cut (the caller then folds the whole log).
  func take() -> ItemStore? {
    thread?.join()
    // Moved out, not copied: a second reference would make the fold's first new item
    // copy every array (a million-event log: about 9 MB, on the calling thread).
    var value: ItemStore?
    swap(&value, &shared.value)
    return value
  }

  deinit {
    dues.finish()
    thread?.join()
  }

  /// The items pledged by `cut` in the part as stored, and how many it holds (ids not
  /// indexed: the rewind does it).
  /// Only the frames up to the last chunk with an item pledged by the cut are
  /// decompressed (about half of them for a cut mid-history).
  private static func decoded(_ stored: UnsafeRawBufferPointer, cut: Int64) -> (store: ItemStore, count: Int)? {
    guard let decompressor = try? ZstdDecompressor() else { return nil }
    return pledged(by: cut) { try? decompressor.decompressFrames(stored, first: $0, limit: Int(Int32.max)) }
  }

  /// The items pledged by `cut`, from a part whose first `n` frames `frames(n)` gives
  /// decompressed (nil when it cannot): its header first, then as many frames as that
  /// says hold them.
  private static func pledged<E: Error>(by cut: Int64, frames: (Int) throws(E) -> [UInt8]?) throws(E) -> (
    store: ItemStore, count: Int
  )? {
    guard let header = try frames(1), let needed = ItemsPart.segmentsNeeded(header: header, pledgedBy: cut),
      let bytes = try frames(needed)
    else { return nil }
    return FoldSnapshot.decodeItems(bytes, indexIds: false, pledgedBy: cut)
  }

  private static func decoded(_ stored: [UInt8], cut: Int64) -> (store: ItemStore, count: Int)? {
    stored.withUnsafeBytes { decoded($0, cut: cut) }
  }

  /// The items part read through a connection of its own: the row of the same fold
  /// (bound, cut and weights), since a writer may have replaced the snapshot meanwhile,
  /// in one read transaction. Only its head is read (`decodedHead`).
  private static func read(_ path: String, _ snapshot: SnapshotInfo, cut: Int64) -> (store: ItemStore, count: Int)? {
    try? { () throws(SQLiteError) -> (store: ItemStore, count: Int)? in
      let connection = try SQLiteEventStore.openForReading(path)
      try connection.execute("BEGIN")
      defer { try? connection.execute("COMMIT") }
      let statement = try connection.prepare(
        "SELECT 1 FROM snapshots WHERE id = ? AND seq_bound = ? AND cut_us = ? AND weights = ?")
      try statement.bind(1, snapshot.id)
      try statement.bind(2, snapshot.seqBound)
      try statement.bind(3, snapshot.cutMicros)
      try statement.bind(4, snapshot.weights)
      guard try statement.step() else { return nil }
      return try decodedHead(SQLiteBlob(connection: connection, table: "snapshots", column: "items", rowid: snapshot.id), cut: cut)
    }()
  }

  /// The items pledged by `cut` in a stored items part, read `firstRead` bytes first,
  /// then about twice as much again each time, until the frames up to the last chunk
  /// with an item pledged by the cut are in.
  static func decodedHead(_ blob: SQLiteBlob, cut: Int64, firstRead: Int = 64 << 10) throws(SQLiteError) -> (
    store: ItemStore, count: Int
  )? {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, blob.count), alignment: 16)
    defer { buffer.deallocate() }
    var read = 0
    func more() throws(SQLiteError) -> Bool {
      guard read < blob.count else { return false }
      let end = min(blob.count, max(read * 2, read + firstRead))
      try blob.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[read..<end]), at: read)
      read = end
      return true
    }
    guard let decompressor = try? ZstdDecompressor() else { return nil }
    // The first `frames` frames once they are all in the bytes read.
    return try pledged(by: cut) { (frames) throws(SQLiteError) -> [UInt8]? in
      while true {
        if let bytes = try? decompressor.decompressFrames(
          UnsafeRawBufferPointer(rebasing: buffer[0..<read]), first: frames, limit: Int(Int32.max))
        {
          return bytes
        }
        guard try more() else { return nil }
      }
    }
  }

  /// Where the thread leaves the items (read only once `ready`), and the flag.
  private final class Shared: @unchecked Sendable {
    var value: ItemStore?
    let ready = Atomic<Bool>(false)
  }
}

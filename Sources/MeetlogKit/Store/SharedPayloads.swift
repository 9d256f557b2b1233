#if canImport(Glibc)
  import Glibc
#endif

/// The canonical payloads `verify`'s reader has decompressed, lent to the snapshot check,
/// which folds the same events in another order (`occurred_at`, seq) and would otherwise
/// read and decompress the whole log a second time, on a thread of its own.
///
/// The reader deposits whole batches: batch k holds seqs 256k + 1 … 256(k + 1) (a batch
/// of any other shape, or with a payload that did not decompress, is not kept). The
/// check says how many times it will take from each batch; a batch is freed when its
/// last payload has been taken. At most `byteLimit` bytes are held (a log whose
/// occurrence order is far from its seq order would otherwise be held whole): a payload
/// not kept is one the check reads itself. 100k `verify`: 366.6 -> 340.8 ms, interleaved
/// medians of 11 (the check's reading thread is gone).
final class SharedPayloads: @unchecked Sendable {
  static let batchSize = VerifyReader.batchSize
  /// At most this many bytes are held.
  let byteLimit: Int

  private var batches: [Int: VerifyReader.ReadBatch] = [:]
  /// How many payloads the check will still take from each batch; nil until it says.
  private var uses: [Int: Int]?
  private var bytesHeld = 0
  /// Every seq up to this one has been dealt by the reader (kept or not).
  private var readThrough: Int64 = 0
  private var finished = false
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let dealt = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

  init(byteLimit: Int) {
    self.byteLimit = byteLimit
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(dealt, nil)
  }

  deinit {
    pthread_cond_destroy(dealt)
    pthread_mutex_destroy(mutex)
    dealt.deallocate()
    mutex.deallocate()
  }

  private func locked<T>(_ body: () -> T) -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return body()
  }

  /// The bytes held now.
  var heldBytes: Int { locked { bytesHeld } }

  /// The reader has dealt `batch`: kept if it has the expected shape, is still needed
  /// and there is room.
  func deposit(_ batch: VerifyReader.ReadBatch) {
    guard let last = batch.rows.last else { return }
    let first = batch.rows[0].seq
    let index = Int((first - 1) / Int64(Self.batchSize))
    let regular =
      (first - 1) % Int64(Self.batchSize) == 0 && last.seq == first + Int64(batch.rows.count) - 1
      && batch.rows.allSatisfy { $0.failure == nil }
    locked {
      if regular && (uses.map { ($0[index] ?? 0) > 0 } ?? true) && bytesHeld + batch.bytes.count <= byteLimit {
        batches[index] = batch
        bytesHeld += batch.bytes.count
      }
      readThrough = max(readThrough, last.seq)
      pthread_cond_broadcast(dealt)
    }
  }

  /// The reader has stopped (at the end, or at a damaged row).
  func finish() {
    locked {
      finished = true
      pthread_cond_broadcast(dealt)
    }
  }

  /// The check will take these seqs, each once: batches no seq needs are freed.
  func willTake(_ seqs: [Int64]) {
    var counts: [Int: Int] = [:]
    for seq in seqs { counts[Int((seq - 1) / Int64(Self.batchSize)), default: 0] += 1 }
    locked {
      for index in batches.keys where counts[index] == nil { release(index) }
      uses = counts
    }
  }

  private func release(_ index: Int) {
    if let batch = batches.removeValue(forKey: index) { bytesHeld -= batch.bytes.count }
  }

  /// Calls `body` with the canonical bytes of `seq` once the reader has dealt it, and
  /// returns true; false when they were not kept (the caller reads them itself).
  func take(_ seq: Int64, _ body: (UnsafeBufferPointer<UInt8>) throws(MeetlogError) -> Void) throws(MeetlogError) -> Bool {
    guard seq >= 1 else { return false }
    let index = Int((seq - 1) / Int64(Self.batchSize))
    let batch: VerifyReader.ReadBatch? = locked {
      while readThrough < seq && !finished { pthread_cond_wait(dealt, mutex) }
      let kept = batches[index]
      if uses != nil {
        uses![index, default: 1] -= 1
        if uses![index]! <= 0 { release(index) }
      }
      return kept
    }
    let row = Int((seq - 1) % Int64(Self.batchSize))
    guard let batch, row < batch.rows.count, batch.rows[row].seq == seq else { return false }
    let start = row == 0 ? 0 : batch.rows[row - 1].end
    try batch.bytes.withUnsafeBufferPointer { (all) throws(MeetlogError) in
      try body(UnsafeBufferPointer(rebasing: all[start..<batch.rows[row].end]))
    }
    return true
  }
}

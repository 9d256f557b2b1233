import Testing

@testable import MeetlogKit

/// The payloads `verify`'s reader lends the snapshot check.
@Suite struct SharedPayloadsTests {
  /// A batch of the seqs in `seqs`, each payload the text `payload-<seq>`.
  static func batch(_ seqs: ClosedRange<Int64>) -> VerifyReader.ReadBatch {
    var batch = VerifyReader.ReadBatch()
    for seq in seqs {
      batch.bytes += Array("payload-\(seq)".utf8)
      batch.rows.append(
        VerifyReader.ReadRow(seq: seq, typeColumn: 0, occurredColumn: 0, link: .matches, failure: nil, end: batch.bytes.count))
    }
    return batch
  }

  static func take(_ shared: SharedPayloads, _ seq: Int64) throws -> String? {
    var text: String?
    let lent = try shared.take(seq) { text = String(decoding: $0, as: UTF8.self) }
    return lent ? text : nil
  }

  @Test func lendsWhatItKeptAndFreesEachBatchAfterItsLastUse() throws {
    let first = Self.batch(1...256)
    let shared = SharedPayloads(byteLimit: first.bytes.count)
    shared.deposit(first)
    // Over the limit: not kept; the check reads these itself.
    shared.deposit(Self.batch(257...400))
    shared.finish()
    shared.willTake([5, 300, 1])
    #expect(try Self.take(shared, 5) == "payload-5")
    #expect(try Self.take(shared, 300) == nil)
    #expect(shared.heldBytes == first.bytes.count)
    #expect(try Self.take(shared, 1) == "payload-1")
    #expect(shared.heldBytes == 0)
    // Past the end of the log.
    #expect(try Self.take(shared, 999) == nil)
  }

  @Test func keepsOnlyRegularBatchesThatAreNeeded() throws {
    let shared = SharedPayloads(byteLimit: 1 << 20)
    shared.willTake([3, 600])
    // A batch not starting at 256k + 1, one with a payload that did not decompress, one
    // that nothing needs.
    shared.deposit(Self.batch(2...257))
    var failed = Self.batch(513...768)
    failed.rows[4].failure = "does not decompress"
    shared.deposit(failed)
    shared.deposit(Self.batch(257...512))
    #expect(shared.heldBytes == 0)
    shared.finish()
    #expect(try Self.take(shared, 3) == nil)
    #expect(try Self.take(shared, 600) == nil)
  }

  /// The check waits for the reader to deal a seq before it decides.
  @Test func aTakeWaitsForTheReader() throws {
    let shared = SharedPayloads(byteLimit: 1 << 20)
    shared.willTake([300])
    final class Box: @unchecked Sendable { var text: String? }
    let box = Box()
    let thread = try #require(BackgroundThread { box.text = try? Self.take(shared, 300) })
    shared.deposit(Self.batch(1...256))
    shared.deposit(Self.batch(257...512))
    thread.join()
    #expect(box.text == "payload-300")
  }

  /// `verify`'s snapshot check gives the same answers whether the log's pass lends it
  /// every payload, none or some (a backfilled history: fold order is not seq order).
  @Test func theSnapshotCheckReadsWhatItIsNotLent() throws {
    var generator = HistoryGenerator(seed: 12)
    let store = try SQLiteEventStore(path: Fixtures.tempPath(), mode: .write)
    store.checkpointEvery = 500
    let now = Int64(200_000) * Timestamp.microsPerDay
    _ = try store.append(try Fixtures.pending(generator.lines(3_000)), expectSeq: nil, now: now)
    try store.writeSnapshot(now: now, checkpointEvery: 500)
    for limit in [64 << 20, 0, 12_000] {
      store.verifyLendingLimit = limit
      #expect(try store.verify().faults.isEmpty, "\(limit)")
    }
    try store.connection.execute("UPDATE snapshots SET seq_bound = seq_bound - 1")
    for limit in [64 << 20, 0, 12_000] {
      store.verifyLendingLimit = limit
      let messages = try store.verify().faults.map(\.message)
      #expect(messages.count == 1 && messages[0].contains("does not match the log"), "\(limit): \(messages)")
    }
  }
}

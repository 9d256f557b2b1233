/// The decoding stage of `verify`: takes the batches `VerifyReader` dealt to its lane and
/// checks each row on its own — payload decodes, is in canonical form, hash link,
/// `type` and `occurred_us` columns — then hands the rows on to the calling thread, which
/// checks what needs the whole log (seq gaps, ids, reference rules).
///
/// It runs on a thread of its own (`VerifyPipeline`): decoding was most of the single
/// reading thread's work, and that thread had become the one the others waited for.
/// Only the event's `ReferenceFacts` cross over: any other Strings are made and freed on
/// the checker's thread.
final class VerifyRowChecker: @unchecked Sendable {
  /// One row as checked: what the reference rules need of its event (nil when it could
  /// not be decoded) and the faults of the row itself.
  struct Row {
    var seq: Int64
    var facts: ReferenceFacts?
    var faults: [VerifyFault]
    /// The chain could not check it (`VerifyReader.LinkCheck.unchecked`).
    var unchecked = false
  }

  /// What a checker hands over: checked rows, or where reading stopped in a damaged file.
  enum Batch {
    case rows([Row])
    case damaged(message: String)
  }

  static let hashMismatch = "hash does not match: the event, its seq or recorded_at was changed, or an event before it is missing"
  static let partOfLastLink = "hash: the last event of a commit stores only a prefix of its link, not the whole link"

  /// The canonical form of the current row's event, re-encoded (one buffer for all).
  private var reencoded: [UInt8] = []

  /// Checks every batch of `lane` into `checked`, in order, then finishes it.
  func check(_ lane: HandOff<VerifyReader.Batch>, into checked: HandOff<Batch>) {
    defer { checked.finish() }
    while let batch = lane.take() { checked.put(check(batch)) }
  }

  func check(_ batch: VerifyReader.Batch) -> Batch {
    switch batch {
    case .rows(let read):
      var rows: [Row] = []
      rows.reserveCapacity(read.rows.count)
      read.forEach { row, canonical in rows.append(check(row, canonical)) }
      return .rows(rows)
    case .damaged(let message):
      return .damaged(message: message)
    }
  }

  private func check(_ read: VerifyReader.ReadRow, _ canonical: UnsafeBufferPointer<UInt8>) -> Row {
    var row = Row(seq: read.seq, facts: nil, faults: [])
    func fault(_ message: String) { row.faults.append(VerifyFault(seq: read.seq, message: message)) }
    if read.partOfLastLink { fault(Self.partOfLastLink) }
    if let failure = read.failure {
      fault(failure)
      return row
    }
    row.unchecked = read.link == .unchecked
    if let checked = CanonicalCheck.check(canonical) {
      if read.link == .mismatch { fault(Self.hashMismatch) }
      if read.typeColumn != StoreSchema.typeCode(checked.type) { fault("column type differs from the payload") }
      if read.occurredColumn != checked.occurredMicros { fault("column occurred_us differs from the payload") }
      row.facts = checked.facts
      return row
    }
    let event: Event
    do { event = try PayloadCodec.decode(canonical: canonical) } catch {
      fault(error.message)
      return row
    }
    CanonicalEncoding.write(event, into: &reencoded)
    if !reencoded.sameBytes(as: canonical) { fault("payload is not in canonical form") }
    if read.link == .mismatch { fault(Self.hashMismatch) }
    if read.typeColumn != StoreSchema.typeCode(event.type) { fault("column type differs from the payload") }
    if read.occurredColumn != event.occurredAt.micros { fault("column occurred_us differs from the payload") }
    row.facts = ReferenceFacts(event)
    return row
  }
}

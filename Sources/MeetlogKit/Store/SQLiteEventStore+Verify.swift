extension SQLiteEventStore {
  /// Checks every row: seq gapless, payload decompresses and decodes, canonical form,
  /// columns agree with the payload, the hash chain, `recorded_at` order, every
  /// reference rule, and the index tables against a rebuild. Faults name their seq.
  public func verify(expectHead: [UInt8]?) throws(MeetlogError) -> VerifyReport {
    try readSnapshot { () throws(MeetlogError) in
      var report = try verifySnapshot()
      if let expectHead, expectHead != report.headHash {
        let found = try translate { () throws(SQLiteError) -> Int64? in
          let statement = try connection.prepare("SELECT seq FROM events WHERE hash = ?")
          try statement.bind(1, expectHead)
          return try statement.step() ? statement.int64(0) : nil
        }
        if let found {
          report.expectedHeadSeq = found
        } else {
          report.faults.append(
            VerifyFault(
              seq: report.eventsChecked + 1,
              message: "the expected head hash \(HashChain.hex(expectHead)) is in no event of this log: the log was truncated or rewritten")
          )
        }
      } else if expectHead != nil {
        report.expectedHeadSeq = report.eventsChecked
      }
      return report
    }
  }

  private func verifySnapshot() throws(MeetlogError) -> VerifyReport {
    var faults: [VerifyFault] = []
    var checked: Int64 = 0
    var previousHash = HashChain.genesis
    var expectedSeq: Int64 = 1
    var previousRecorded = Int64.min
    let index = MemoryReferenceIndex()
    let statement: SQLiteStatement
    do {
      statement = try connection.prepare(
        "SELECT seq, id, type, occurred_at, occurred_us, recorded_at, recorded_us, dict_id, payload, hash FROM events ORDER BY seq")
    } catch {
      let fault = VerifyFault(seq: 1, message: "the database file is damaged, no event can be read: \(error.message)")
      return VerifyReport(eventsChecked: 0, faults: [fault], headHash: previousHash, expectedHeadSeq: nil)
    }
    func fault(_ seq: Int64, _ message: String) { faults.append(VerifyFault(seq: seq, message: message)) }
    while true {
      do {
        guard try statement.step() else { break }
      } catch {
        // A damaged file: report where reading stopped instead of failing as I/O.
        fault(expectedSeq, "the database file is damaged at or after this seq: \(error.message)")
        break
      }
      checked += 1
      let seq = statement.int64(0)
      if seq != expectedSeq {
        fault(expectedSeq, seq > expectedSeq ? "missing: seq \(expectedSeq)…\(seq - 1) are not in the log" : "seq out of order")
      }
      expectedSeq = seq + 1
      let recordedText = statement.text(5)
      let recordedMicros = statement.int64(6)
      let storedHash = statement.blob(9)
      defer { previousHash = storedHash }
      if case .success(let t) = Timestamp.parse(recordedText), !t.isDate, t.micros == recordedMicros {
      } else {
        fault(seq, "recorded_at \"\(recordedText)\" does not match recorded_us \(recordedMicros)")
      }
      if recordedMicros < previousRecorded { fault(seq, "recorded_at goes back in time") }
      previousRecorded = recordedMicros
      let canonical: [UInt8]
      let event: Event
      do {
        canonical = try statement.withBlob(8) { (raw) throws(StoredEventError) in
          try codec.canonicalBytes(dictId: statement.int64(7), payload: raw)
        }
        event = try codec.decode(canonical: canonical)
      } catch {
        fault(seq, error.message)
        continue
      }
      if CanonicalEncoding.bytes(event) != canonical { fault(seq, "payload is not in canonical form") }
      if HashChain.link(previous: previousHash, seq: seq, recordedAt: recordedText, canonical: canonical) != storedHash {
        fault(seq, "hash does not match: the event, its seq or recorded_at was changed, or an event before it is missing")
      }
      if statement.text(1) != event.id { fault(seq, "column id \"\(statement.text(1))\" differs from the payload's \"\(event.id)\"") }
      if statement.text(2) != event.type.rawValue { fault(seq, "column type differs from the payload") }
      if statement.text(3) != event.occurredAt.text || statement.int64(4) != event.occurredAt.micros {
        fault(seq, "column occurred_at differs from the payload")
      }
      if index.event(id: event.id) != nil { fault(seq, "id \"\(event.id)\" is used twice") }
      do {
        let effects = try ReferenceRules.check(event, index: index)
        index.add(event, seq: seq)
        index.record(event, seq: seq, effects: effects)
      } catch {
        index.add(event, seq: seq)
        fault(seq, "breaks a reference rule: \(error.description)")
      }
    }
    if faults.isEmpty { try compareIndexTables(with: index, faults: &faults) }
    let head = (try? head()) ?? StoreHead(seq: 0, hash: previousHash, recordedMicros: 0)
    return VerifyReport(eventsChecked: checked, faults: faults.sorted { $0.seq < $1.seq }, headHash: head.hash, expectedHeadSeq: nil)
  }

  private func compareIndexTables(with index: MemoryReferenceIndex, faults: inout [VerifyFault]) throws(MeetlogError) {
    try translate { () throws(SQLiteError) in
      var names: [String: Int64] = [:]
      let n = try connection.prepare("SELECT kind, name, seq FROM names")
      while try n.step() {
        if let kind = NameKind(rawValue: n.text(0)) { names[MemoryReferenceIndex.nameKey(kind, n.text(1))] = n.int64(2) }
      }
      if names != index.names { faults.append(VerifyFault(seq: 0, message: "index table `names` differs from the log")) }
      var retractions: [Int64: Int64] = [:]
      let r = try connection.prepare("SELECT target_seq, seq FROM retractions")
      while try r.step() { retractions[r.int64(0)] = r.int64(1) }
      if retractions != index.retractions {
        faults.append(VerifyFault(seq: 0, message: "index table `retractions` differs from the log"))
      }
      var resolutions: [Int64: Int64] = [:]
      let s = try connection.prepare("SELECT item_seq, seq FROM resolutions")
      while try s.step() { resolutions[s.int64(0)] = s.int64(1) }
      if resolutions != index.resolutions {
        faults.append(VerifyFault(seq: 0, message: "index table `resolutions` differs from the log"))
      }
    }
  }
}

/// One checkpoint of a snapshot's fold: the instant it stops at, the relations that
/// changed since the checkpoint before it, and the due-date changes of items in between
/// (both uncompressed; `docs/store.md`, "Checkpoints", has the byte layout).
struct CheckpointRow: Equatable {
  var cut: Int64
  /// Whether `relations` holds topic counts (every `CheckpointRecorder.topicsEvery`-th
  /// row and the last; the topic changes are then counted from the row with topics before).
  var withTopics: Bool
  var relations: [UInt8]
  var dues: [UInt8]
}

/// A due date an item took in the fold: an `item.updated` with `due`, or, before an
/// item's first such update, the due date its pledge gave it.
struct DueChange: Equatable {
  var slot: Int32
  /// When it took effect in fold order: the update's instant, or its pledge's if later.
  var micros: Int64
  /// The due day, or `Int32.min` for none.
  var due: Int32
}

/// Records checkpoints while a snapshot's fold runs, so that `state --as-of` a point
/// before the snapshot's cut folds a few thousand events instead of the whole log.
///
/// A checkpoint at instant C holds the fold of every event that occurred at or before C:
/// its relations as a delta against the checkpoint before, and the due changes since.
/// Together with the snapshot's items (each knows when it was pledged and resolved) the
/// due changes give the items as they stood at C (`rewind`). The recorder only cuts
/// between two instants and where no update waits for its pledge, so the fold after C
/// needs nothing the checkpoint does not hold.
struct CheckpointRecorder {
  /// Where checkpoints go: every `n` events of fold order (writing a snapshot), or at
  /// given instants (verify, rebuilding what a store holds).
  enum Spacing {
    case every(Int)
    case at([(cut: Int64, withTopics: Bool)])
  }

  /// Topic counts change with nearly every event and would triple the rows' size, so only
  /// every fourth row holds them: `state --as-of` in JSON (which prints topics) resumes
  /// from those, tables from any row.
  static let topicsEvery = 4

  let spacing: Spacing
  private(set) var rows: [CheckpointRow]
  /// False when a cut given by `.at` had updates waiting for their pledge, or an item
  /// was pledged twice in one fold: the rows then do not describe the fold.
  private(set) var valid = true
  private var previous: [StateFold.Relation]
  /// The relations' topic counts at the last row with topics.
  private var previousTopics: [[Int32: Int]]
  private var dues: [DueChange] = []
  private var slotsWithHistory: Set<Int32>
  private var lastMicros: Int64?
  private var sinceLast = 0
  private var nextCut = 0

  /// A recorder for a fold that starts empty, or resumes from a snapshot whose rows are
  /// `carried` (their last one at its cut, where the fold's relations are `relations`).
  init(spacing: Spacing, carried: [CheckpointRow] = [], relations: [StateFold.Relation] = [], slotsWithHistory: Set<Int32> = []) {
    self.spacing = spacing
    self.rows = carried
    self.previous = relations
    self.previousTopics = relations.map(\.topics)
    self.slotsWithHistory = slotsWithHistory
  }

  /// Called before the fold applies an event that occurred at `micros`.
  mutating func before(_ micros: Int64, relations: [StateFold.Relation], waiting: Bool) {
    switch spacing {
    case .every(let n):
      if let last = lastMicros, micros > last, sinceLast >= n, !waiting {
        record(cut: last, withTopics: rows.count % Self.topicsEvery == 0, relations: relations)
      }
    case .at(let cuts):
      while nextCut < cuts.count, cuts[nextCut].cut < micros {
        if waiting { valid = false }
        record(cut: cuts[nextCut].cut, withTopics: cuts[nextCut].withTopics, relations: relations)
        nextCut += 1
      }
    }
    sinceLast += 1
    lastMicros = micros
  }

  /// Called once the fold has reached the snapshot's cut: the last checkpoint is the cut
  /// itself (so a later snapshot can carry these rows on).
  mutating func finish(cut: Int64, relations: [StateFold.Relation], waiting: Bool) {
    switch spacing {
    case .every:
      if rows.last?.cut != cut && !waiting { record(cut: cut, withTopics: true, relations: relations) }
      if rows.last?.withTopics == false { valid = false }
    case .at(let cuts):
      while nextCut < cuts.count, cuts[nextCut].cut <= cut {
        if waiting { valid = false }
        record(cut: cuts[nextCut].cut, withTopics: cuts[nextCut].withTopics, relations: relations)
        nextCut += 1
      }
    }
  }

  /// An update gave item `slot` a due day (at `micros`, in fold order).
  mutating func dueChanged(slot: Int32, pledgedMicros: Int64, pledgeDue: Int32, micros: Int64, due: Int32) {
    if slotsWithHistory.insert(slot).inserted { dues.append(DueChange(slot: slot, micros: pledgedMicros, due: pledgeDue)) }
    dues.append(DueChange(slot: slot, micros: max(micros, pledgedMicros), due: due))
  }

  /// An item was pledged again under an id the fold already had (possible only after a
  /// retraction outside the fold's bound): its earlier life is gone, so no checkpoint
  /// can describe it.
  mutating func itemReplaced() { valid = false }

  private mutating func record(cut: Int64, withTopics: Bool, relations: [StateFold.Relation]) {
    let delta = Self.delta(from: previous, to: relations, topicsFrom: withTopics ? previousTopics : nil)
    rows.append(CheckpointRow(cut: cut, withTopics: withTopics, relations: delta, dues: Self.encode(dues)))
    previous = relations
    if withTopics { previousTopics = relations.map(\.topics) }
    dues.removeAll(keepingCapacity: true)
    sinceLast = 0
  }

  // MARK: The relation delta

  /// Bits of a changed relation's mask, one per field that changed.
  private enum Field: Int, CaseIterable {
    case meetings, firstMeeting, lastMeeting, lastPlace, statements, thanksForward, thanksBackward, lastEvent
    case decayedSum, referenceDay, undecayed, topics, isNew
    var bit: Int { 1 << rawValue }
  }

  /// The relations that changed from `old` to `new`; with `topicsFrom`, also their
  /// topic counts that changed from those.
  static func delta(from old: [StateFold.Relation], to new: [StateFold.Relation], topicsFrom: [[Int32: Int]]?) -> [UInt8] {
    var w = ByteWriter()
    w.varint(UInt64(new.count))
    for (index, r) in new.enumerated() {
      let before = index < old.count ? old[index] : StateFold.Relation(pair: r.pair)
      var mask = index < old.count ? 0 : Field.isNew.bit
      if r.meetings != before.meetings { mask |= Field.meetings.bit }
      if r.firstMeeting != before.firstMeeting { mask |= Field.firstMeeting.bit }
      if r.lastMeeting != before.lastMeeting { mask |= Field.lastMeeting.bit }
      if r.lastPlace != before.lastPlace { mask |= Field.lastPlace.bit }
      if r.statements != before.statements { mask |= Field.statements.bit }
      if r.thanksForward != before.thanksForward { mask |= Field.thanksForward.bit }
      if r.thanksBackward != before.thanksBackward { mask |= Field.thanksBackward.bit }
      if r.lastEvent != before.lastEvent { mask |= Field.lastEvent.bit }
      if r.decayedSum.bitPattern != before.decayedSum.bitPattern { mask |= Field.decayedSum.bit }
      if r.referenceDay != before.referenceDay { mask |= Field.referenceDay.bit }
      if r.undecayed.bitPattern != before.undecayed.bitPattern { mask |= Field.undecayed.bit }
      let topicsBefore = topicsFrom.map { index < $0.count ? $0[index] : [:] }
      if let topicsBefore, r.topics != topicsBefore { mask |= Field.topics.bit }
      guard mask != 0 else { continue }
      w.varint(UInt64(index))
      w.varint(UInt64(mask))
      if mask & Field.isNew.bit != 0 { w.u32(r.pair) }
      // Counts and instants as differences from the checkpoint before: small numbers.
      if mask & Field.meetings.bit != 0 { w.difference(r.meetings, before.meetings) }
      if mask & Field.firstMeeting.bit != 0 { w.compactMoment(r.firstMeeting, after: before.firstMeeting) }
      if mask & Field.lastMeeting.bit != 0 { w.compactMoment(r.lastMeeting, after: before.lastMeeting) }
      if mask & Field.lastPlace.bit != 0 { w.varint(r.lastPlace.map { UInt64($0) + 1 } ?? 0) }
      if mask & Field.statements.bit != 0 { w.difference(r.statements, before.statements) }
      if mask & Field.thanksForward.bit != 0 { w.difference(r.thanksForward, before.thanksForward) }
      if mask & Field.thanksBackward.bit != 0 { w.difference(r.thanksBackward, before.thanksBackward) }
      if mask & Field.lastEvent.bit != 0 { w.compactMoment(r.lastEvent, after: before.lastEvent) }
      if mask & Field.decayedSum.bit != 0 { w.u64(r.decayedSum.bitPattern) }
      if mask & Field.referenceDay.bit != 0 { w.varint(r.referenceDay.map { ByteWriter.zigzag(Int64($0)) + 1 } ?? 0) }
      if mask & Field.undecayed.bit != 0 { w.u64(r.undecayed.bitPattern) }
      if mask & Field.topics.bit != 0 {
        // The topics whose count changed, in id order, each with the change.
        let earlier = topicsBefore ?? [:]
        let changed = r.topics.filter { earlier[$0.key] != $0.value }.sorted { $0.key < $1.key }
        w.varint(UInt64(changed.count))
        var last: Int32 = -1
        for (topic, count) in changed {
          w.varint(UInt64(topic - last))
          w.difference(count, earlier[topic] ?? 0)
          last = topic
        }
      }
    }
    // The end: an index no relation has.
    w.varint(UInt64(new.count))
    return w.output
  }

  /// Applies a delta to the relations of the checkpoint before it; false when the bytes
  /// are not a delta this version wrote. `topics` false skips the topic counts.
  static func apply(_ delta: [UInt8], to relations: inout [StateFold.Relation], topics: Bool) -> Bool {
    var r = ByteReader(delta)
    guard let count = r.varint().map(Int.init), count >= relations.count, count < 1 << 24 else { return false }
    while true {
      guard let index = r.varint().map(Int.init) else { return false }
      if index == count { break }
      guard index < count, let mask = r.varint().map(Int.init) else { return false }
      if mask & Field.isNew.bit != 0 {
        guard index == relations.count, let pair = r.u32() else { return false }
        relations.append(StateFold.Relation(pair: pair))
      }
      guard index < relations.count else { return false }
      var rel = relations[index]
      func number() -> Int? { r.varint().flatMap { $0 < 1 << 62 ? Int($0) : nil } }
      func changed(_ value: inout Int) -> Bool {
        guard let d = r.difference(from: value) else { return false }
        value = d
        return true
      }
      func moved(_ value: inout StateFold.Moment?) -> Bool {
        guard let m = r.compactMoment(after: value) else { return false }
        value = m.value
        return true
      }
      if mask & Field.meetings.bit != 0 {
        guard changed(&rel.meetings) else { return false }
      }
      if mask & Field.firstMeeting.bit != 0 {
        guard moved(&rel.firstMeeting) else { return false }
      }
      if mask & Field.lastMeeting.bit != 0 {
        guard moved(&rel.lastMeeting) else { return false }
      }
      if mask & Field.lastPlace.bit != 0 {
        guard let n = number(), n <= Int(Int32.max) + 1 else { return false }
        rel.lastPlace = n == 0 ? nil : Int32(n - 1)
      }
      if mask & Field.statements.bit != 0 {
        guard changed(&rel.statements) else { return false }
      }
      if mask & Field.thanksForward.bit != 0 {
        guard changed(&rel.thanksForward) else { return false }
      }
      if mask & Field.thanksBackward.bit != 0 {
        guard changed(&rel.thanksBackward) else { return false }
      }
      if mask & Field.lastEvent.bit != 0 {
        guard moved(&rel.lastEvent) else { return false }
      }
      if mask & Field.decayedSum.bit != 0 {
        guard let bits = r.u64() else { return false }
        rel.decayedSum = Double(bitPattern: bits)
      }
      if mask & Field.referenceDay.bit != 0 {
        guard let n = r.varint() else { return false }
        rel.referenceDay = n == 0 ? nil : Int(ByteReader.unzigzag(n - 1))
      }
      if mask & Field.undecayed.bit != 0 {
        guard let bits = r.u64() else { return false }
        rel.undecayed = Double(bitPattern: bits)
      }
      if mask & Field.topics.bit != 0 {
        guard let changed = number() else { return false }
        var topic: Int32 = -1
        for _ in 0..<changed {
          guard let step = number(), step > 0, step < Int(Int32.max) - Int(topic),
            let n = r.difference(from: rel.topics[topic + Int32(step)] ?? 0)
          else { return false }
          topic += Int32(step)
          if topics { rel.topics[topic] = n }
        }
      }
      relations[index] = rel
    }
    return r.atEnd && relations.count == count
  }

  // MARK: Due changes

  static func encode(_ dues: [DueChange]) -> [UInt8] {
    var w = ByteWriter()
    w.varint(UInt64(dues.count))
    for d in dues {
      w.varint(UInt64(d.slot))
      w.varint(ByteWriter.zigzag(d.micros))
      w.varint(ByteWriter.zigzag(Int64(d.due)))
    }
    return w.output
  }

  static func decodeDues(_ bytes: [UInt8]) -> [DueChange]? {
    var r = ByteReader(bytes)
    guard let count = r.varint(), count < 1 << 32 else { return nil }
    var dues: [DueChange] = []
    dues.reserveCapacity(Int(count))
    for _ in 0..<count {
      guard let slot = r.varint(), slot < UInt64(Int32.max), let micros = r.varint(), let due = r.varint() else { return nil }
      let day = ByteReader.unzigzag(due)
      guard day >= Int64(Int32.min), day <= Int64(Int32.max) else { return nil }
      dues.append(DueChange(slot: Int32(slot), micros: ByteReader.unzigzag(micros), due: Int32(day)))
    }
    return r.atEnd ? dues : nil
  }

  /// Rewinds a fold's items, in place, to how they stood at `cut`: those pledged by
  /// then, open again if resolved later, with the due day they had then (`dues`: every
  /// due change of the fold, in the order the fold made them). Item ids come along for
  /// lookups; details do not. A fold adds items in the order of their pledges, so those
  /// pledged by `cut` are the first slots; false if they are not (or a due change names
  /// no item), and `items` is then left as it was.
  ///
  /// In place: the arrays are cut short instead of copied (the items of a million-event
  /// log are 17 MB, and `state --as-of` copied them twice).
  ///
  /// `slotCount`: how many items the fold held, when `items` holds only those pledged
  /// by the cut (`FoldSnapshot.decodeItems(_:indexIds:pledgedBy:)`).
  static func rewind(_ items: inout ItemStore, to cut: Int64, dues: [DueChange], slotCount: Int? = nil) -> Bool {
    let count = max(items.count, slotCount ?? 0)
    let kept = items.pledgedMicros.firstIndex { $0 > cut } ?? items.count
    guard !items.pledgedMicros[kept...].contains(where: { $0 <= cut }) else { return false }
    for change in dues where change.micros <= cut {
      guard change.slot >= 0 && Int(change.slot) < count else { return false }
    }
    var ids = LoadedIds()
    let allLoaded = items.detailStart[0..<kept].allSatisfy { $0 < 0 }
    if allLoaded {
      // All loaded from the snapshot (the usual case): the ids are a prefix too.
      var loaded = items.loaded
      items.loaded = LoadedIds()
      loaded.idStart.removeSubrange((kept + 1)...)
      loaded.idBytes.removeSubrange(Int(loaded.idStart[kept])...)
      ids = LoadedIds(idStart: loaded.idStart, idBytes: loaded.idBytes)
    } else {
      var idStart: [Int32] = [0]
      var idBytes: [UInt8] = []
      for slot in 0..<Int32(kept) {
        items.appendItemId(slot, to: &idBytes)
        idStart.append(Int32(idBytes.count))
      }
      ids = LoadedIds(idStart: idStart, idBytes: idBytes)
    }
    // The lookup table is built here, on the thread that rewinds, not by the fold's
    // first lookup on the calling thread.
    ids.buildIndexNow()
    items.pairs.removeSubrange(Int(items.pairStart[kept])...)
    items.pairStart.removeSubrange((kept + 1)...)
    items.pledgedMicros.removeSubrange(kept...)
    items.pledgeSeq.removeSubrange(kept...)
    items.dueDay.removeSubrange(kept...)
    items.outcome.removeSubrange(kept...)
    items.resolvedMicros.removeSubrange(kept...)
    items.dateFlags.removeSubrange(kept...)
    if allLoaded {
      items.detailStart.removeSubrange(kept...)  // keeps the room a loaded part made
    } else {
      items.detailStart = [Int32](repeating: -1, count: kept)
    }
    items.arena = []
    items.added = AddedIds()
    items.keepDetails = false
    items.loaded = ids
    for s in 0..<kept where items.outcome[s] != 0 && items.resolvedMicros[s] > cut {
      items.outcome[s] = 0
      items.resolvedMicros[s] = 0
      items.dateFlags[s] &= 1
    }
    // Every item with a due change has one at its pledge, so the last change by the cut
    // is its due day then.
    for change in dues where change.micros <= cut && Int(change.slot) < kept { items.dueDay[Int(change.slot)] = change.due }
    return true
  }
}

extension ByteWriter {
  /// LEB128: seven bits a byte, low first.
  mutating func varint(_ v: UInt64) {
    var v = v
    while v >= 0x80 {
      output.append(UInt8(v & 0x7F) | 0x80)
      v >>= 7
    }
    output.append(UInt8(v))
  }

  static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

  /// A count as its change from `before`, zigzagged.
  mutating func difference(_ value: Int, _ before: Int) { varint(Self.zigzag(Int64(value) &- Int64(before))) }

  /// A moment in few bytes: a tag (0 none; else 16, plus 8 when relative to `after`, plus
  /// the unit in bits 1–2: micros, seconds, minutes, days; plus 1 for a calendar date),
  /// then the micros, or their difference from `after`, in that unit, zigzagged.
  mutating func compactMoment(_ m: StateFold.Moment?, after: StateFold.Moment? = nil) {
    guard let m else {
      output.append(0)
      return
    }
    let relative = after != nil
    let value = m.micros &- (after?.micros ?? 0)
    var unit = 3
    while unit > 0 && value % ByteReader.momentUnits[unit] != 0 { unit -= 1 }
    output.append(16 | (relative ? 8 : 0) | UInt8(unit << 1) | (m.isDate ? 1 : 0))
    varint(Self.zigzag(value / ByteReader.momentUnits[unit]))
  }
}

extension ByteReader {
  mutating func varint() -> UInt64? {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while shift < 64 {
      guard let byte = bytes(1)?.first else { return nil }
      value |= UInt64(byte & 0x7F) << shift
      if byte < 0x80 { return value }
      shift += 7
    }
    return nil
  }

  static func unzigzag(_ v: UInt64) -> Int64 { Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1) }

  static let momentUnits: [Int64] = [1, 1_000_000, 60_000_000, Timestamp.microsPerDay]

  /// A count written by `difference`, given the value it changed from.
  mutating func difference(from before: Int) -> Int? {
    guard let raw = varint() else { return nil }
    let (value, overflow) = Int64(before).addingReportingOverflow(Self.unzigzag(raw))
    return overflow || value < 0 ? nil : Int(value)
  }

  mutating func compactMoment(after: StateFold.Moment? = nil) -> (value: StateFold.Moment?, ok: Bool)? {
    guard let tag = bytes(1)?.first else { return nil }
    if tag == 0 { return (nil, true) }
    guard tag & ~15 == 16, let raw = varint() else { return nil }
    let relative = tag & 8 != 0
    guard !relative || after != nil else { return nil }
    let (scaled, overflow) = Self.unzigzag(raw).multipliedReportingOverflow(by: Self.momentUnits[Int(tag >> 1) & 3])
    let (micros, overflow2) = scaled.addingReportingOverflow(relative ? after!.micros : 0)
    guard !overflow && !overflow2 else { return nil }
    return (StateFold.Moment(micros: micros, isDate: tag & 1 != 0), true)
  }
}

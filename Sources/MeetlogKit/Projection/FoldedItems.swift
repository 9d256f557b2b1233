/// The items of a finished `StateFold` in the order the state lists them (pledge
/// instant, then item id), kept as the fold's slots rather than as values.
///
/// `meetlog state --format json` writes them straight from the fold's arrays and text
/// arena: an `ItemState` per item (a dozen strings and arrays each) and its JSON took a
/// third of a 100,000-event replay. `itemStates()` gives the same items as values (the
/// library's `ProjectedState`); a property test checks that both print the same bytes.
public struct FoldedItems: Sendable {
  let store: ItemStore
  /// The slots listed, in order.
  let slots: [Int32]
  let pointDay: Int
  /// The list as a snapshot's table of its open items (`OpenTablePart`), when that is
  /// all the caller prints (`StateQuery.runFolded`'s `tableOnly`): `store` is empty then,
  /// and the list can only be printed as a table without colours.
  let printer: OpenTablePrinter?

  public var count: Int { printer?.table.rows ?? slots.count }

  private init(store: ItemStore, slots: [Int32], pointDay: Int) {
    self.store = store
    self.slots = slots
    self.pointDay = pointDay
    printer = nil
  }

  /// The open items of a snapshot's table, printed as of `pointDay` by `printer`.
  init(_ printer: OpenTablePrinter, pointDay: Int) {
    store = ItemStore()
    slots = []
    self.pointDay = pointDay
    self.printer = printer
  }

  /// The open items of the list.
  func onlyOpen() -> FoldedItems {
    guard printer == nil else { return self }
    return FoldedItems(store: store, slots: slots.filter { store.outcome[Int($0)] == 0 }, pointDay: pointDay)
  }

  /// The items of `store` (which kept its details) at `pointDay`; `closedItems` false
  /// lists only the open ones.
  init(_ store: ItemStore, pointDay: Int, closedItems: Bool) {
    self.store = store
    self.pointDay = pointDay
    printer = nil
    var slots = (0..<Int32(store.count)).filter { closedItems || store.outcome[Int($0)] == 0 }
    store.arena.withUnsafeBufferPointer { arena in
      func precedes(_ a: Int32, _ b: Int32) -> Bool {
        let (ma, mb) = (store.pledgedMicros[Int(a)], store.pledgedMicros[Int(b)])
        if ma != mb { return ma < mb }
        return Self.idPrecedes(
          DetailReader(arena, at: store.detailStart[Int(a)]).itemId, DetailReader(arena, at: store.detailStart[Int(b)]).itemId)
      }
      // A fold adds items in the order of their pledges: the slots are usually in order
      // of pledge time already, and only runs pledged at the same instant (on the same
      // date) may need sorting by id (sorting all 155,000 of a million-event log was
      // about 7 ms); a snapshot's open items come in order (checking is one pass).
      let micros = store.pledgedMicros
      guard !zip(slots, slots.dropFirst()).contains(where: { micros[Int($0.1)] < micros[Int($0.0)] }) else {
        return slots.sort(by: precedes)
      }
      var start = 0
      while start < slots.count {
        var end = start + 1
        while end < slots.count && micros[Int(slots[end])] == micros[Int(slots[start])] { end += 1 }
        if end - start > 1 && zip(slots[start..<(end - 1)], slots[(start + 1)..<end]).contains(where: { precedes($0.1, $0.0) }) {
          slots[start..<end].sort(by: precedes)
        }
        start = end
      }
    }
    self.slots = slots
  }

  /// String order of two item ids: byte order when both are ASCII (the same order), else
  /// Swift's String comparison, as `ItemState` lists are sorted.
  private static func idPrecedes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    if a.allSatisfy({ $0 < 0x80 }) && b.allSatisfy({ $0 < 0x80 }) { return a.lexicographicallyPrecedes(b) }
    return String(decoding: a, as: UTF8.self) < String(decoding: b, as: UTF8.self)
  }

  /// The items as values, in order.
  public func itemStates() -> [ItemState] {
    precondition(printer == nil, "a stored table is printed only as a table")
    return slots.map(itemState)
  }

  private func itemState(_ slot: Int32) -> ItemState {
    let s = Int(slot)
    let d = store.details(slot)
    let outcome = store.outcome(of: slot)
    let due = store.dueDay[s]
    let pledged = StateFold.Moment(micros: store.pledgedMicros[s], isDate: store.dateFlags[s] & 1 != 0)
    let resolved = outcome == nil ? nil : StateFold.Moment(micros: store.resolvedMicros[s], isDate: store.dateFlags[s] & 2 != 0)
    return ItemState(
      item: d.itemId, summary: d.summary, parties: d.parties, with: d.with, pairs: store.pairs(of: slot).map(CountryIndexing.pairKey),
      pledgedAt: pledged.timestamp, pledgeEvent: d.pledgeEvent,
      due: due == Int32.min ? nil : CalendarDay(day: Int(due), text: Timestamp.formatDay(Int(due))), outcome: outcome,
      resolvedAt: resolved?.timestamp, meeting: d.meeting, by: d.by, overdue: isOverdue(slot), ageDays: ageDays(slot))
  }

  func isOverdue(_ slot: Int32) -> Bool {
    let due = store.dueDay[Int(slot)]
    return store.outcome[Int(slot)] == 0 && due != Int32.min && Int(due) < pointDay
  }

  func ageDays(_ slot: Int32) -> Int {
    max(0, pointDay - Int(floorDiv(store.pledgedMicros[Int(slot)], Timestamp.microsPerDay)))
  }

  /// Writes the items at `positions` of the list as `StateRenderer.writeItem` writes
  /// their `ItemState`s, byte for byte.
  func writeJSON(_ positions: Range<Int>, into w: inout JSONWriter) {
    precondition(printer == nil, "a stored table is printed only as a table")
    store.arena.withUnsafeBufferPointer { arena in
      for slot in slots[positions] { writeItem(slot, arena, &w) }
    }
  }

  private func writeItem(_ slot: Int32, _ arena: UnsafeBufferPointer<UInt8>, _ w: inout JSONWriter) {
    let s = Int(slot)
    var d = DetailReader(arena, at: store.detailStart[s])
    let event = d.text()!
    let item = d.text() ?? event
    let summary = d.text()!
    w.beginObject()
    w.key("item")
    w.string(utf8: item)
    w.key("summary")
    w.string(utf8: summary)
    for key in ["parties", "with"] {
      w.key(key)
      w.beginArray()
      for _ in 0..<d.number() { w.country(CountryIndex(d.number())) }
      w.endArray()
    }
    w.key("pairs")
    w.beginArray()
    for pair in store.pairs(of: slot) { w.pair(pair) }
    w.endArray()
    let outcome = store.outcome(of: slot)
    w.key("pledged_at")
    w.instant(store.pledgedMicros[s], isDate: store.dateFlags[s] & 1 != 0)
    w.key("due")
    let due = store.dueDay[s]
    if due == Int32.min { w.null() } else { w.day(Int(due)) }
    w.key("state")
    w.string(outcome?.rawValue ?? "open")
    w.key("overdue")
    w.bool(isOverdue(slot))
    w.key("age_days")
    w.int(ageDays(slot))
    let name = d.text()
    let role = d.text()
    let country = d.text()
    w.key("meeting")
    if let meeting = d.text() { w.string(utf8: meeting) } else { w.null() }
    w.key("resolved_at")
    if outcome == nil { w.null() } else { w.instant(store.resolvedMicros[s], isDate: store.dateFlags[s] & 2 != 0) }
    w.key("by")
    if let name {
      w.beginObject()
      w.key("name")
      w.string(utf8: name)
      if let role {
        w.key("role")
        w.string(utf8: role)
      }
      w.key("country")
      if let country { w.string(utf8: country) } else { w.string("") }
      w.endObject()
    } else {
      w.null()
    }
    w.key("pledge_event")
    w.string(utf8: event)
    w.endObject()
  }
}

/// Reads one item's details in an `ItemStore` arena (the layout of `writeDetails`)
/// without making strings.
struct DetailReader {
  private let arena: UnsafeBufferPointer<UInt8>
  private var at: Int

  init(_ arena: UnsafeBufferPointer<UInt8>, at start: Int32) {
    self.arena = arena
    self.at = Int(start)
  }

  mutating func number() -> UInt32 {
    var value: UInt32 = 0
    for k in 0..<4 { value |= UInt32(arena[at + k]) << (8 * k) }
    at += 4
    return value
  }

  mutating func text() -> UnsafeBufferPointer<UInt8>? {
    let length = number()
    guard length != UInt32.max else { return nil }
    defer { at += Int(length) }
    return UnsafeBufferPointer(rebasing: arena[at..<(at + Int(length))])
  }

  /// The item id: the `item` field, or the pledge's event id.
  var itemId: UnsafeBufferPointer<UInt8> {
    var reader = self
    let event = reader.text()!
    return reader.text() ?? event
  }
}

extension JSONWriter {
  /// A country code, written from its index.
  fileprivate mutating func country(_ index: CountryIndex) {
    let code = (UInt8(index / 26) + 65, UInt8(index % 26) + 65)
    withUnsafeBytes(of: code) { string(utf8: $0.assumingMemoryBound(to: UInt8.self)) }
  }

  /// A pair key (`BA-SI`), written from its index.
  fileprivate mutating func pair(_ pair: PairIndex) {
    withUnsafeBytes(of: CountryIndexing.pairBytes(pair)) { string(utf8: $0.assumingMemoryBound(to: UInt8.self)) }
  }

  /// An instant as `Timestamp.display` prints it: a date, or UTC with `Z`.
  fileprivate mutating func instant(_ micros: Int64, isDate: Bool) {
    Timestamp.withDisplayBytes(micros: micros, isDate: isDate) { string(utf8: $0) }
  }

  /// A calendar day, `YYYY-MM-DD`.
  fileprivate mutating func day(_ day: Int) {
    instant(Int64(day) * Timestamp.microsPerDay, isDate: true)
  }
}

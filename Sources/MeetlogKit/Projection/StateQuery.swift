/// Replays a store to a point in time: selects the included events with the store's
/// indexes and folds them with `Projector`.
///
/// By definition the state is the fold, in (`occurred_at`, `seq`) order, of the events
/// within `--at-seq`/`--known-at`, minus those retracted by a retraction within the same
/// bound, filtered by `--as-of`.
public enum StateQuery {
  /// The seq bound of the point: the last seq within `--at-seq` and `--known-at`.
  public static func boundSeq(_ store: some EventStore, _ point: PointInTime) throws(MeetlogError) -> Int64 {
    var bound = try store.head().seq
    if let atSeq = point.atSeq { bound = min(bound, atSeq) }
    if let knownAt = point.knownAtMicros { bound = min(bound, try store.lastSeq(recordedAtMost: knownAt)) }
    return bound
  }

  /// The included events in fold order, each passed to `body`.
  public static func includedEvents(
    _ store: some EventStore, _ point: PointInTime, bound: Int64, _ body: (RecordedEvent) -> Void
  ) throws(MeetlogError) {
    let retracted = try store.retractedSeqs(maxSeq: bound)
    var query = EventQuery()
    query.maxSeq = bound
    query.occurredAtMost = point.asOfMicros
    query.excludedTypes = [.eventRetracted]
    query.byOccurrence = true
    // Progress counts the events read against the seq bound (an upper bound when
    // --as-of leaves later events out).
    var read = 0
    let progress = store.progress
    try store.scan(query) { recorded in
      read += 1
      if read & 4095 == 0 { progress?.progress(done: read, total: Int(bound)) }
      if !retracted.contains(recorded.seq) { body(recorded) }
      return true
    }
  }

  /// The state at `point`, folded by `StateFold` from canonical bytes, resumed from a
  /// snapshot when one is usable (`useSnapshots`); `withTopics` false leaves the
  /// relations' topic counts empty (tables do not show them); `withItems` false skips building the
  /// item list (`state relations`); `closedItems` false lists only the open items (what
  /// `state` prints without `--all`), so the texts of closed ones are never read.
  /// Snapshots never change the result: a property test compares both ways bit for bit.
  public static func run(
    _ store: some EventStore, _ point: PointInTime, weights: ScoreWeights = ScoreWeights(), withItems: Bool = true,
    closedItems: Bool = true, withTopics: Bool = true, useSnapshots: Bool = true
  ) throws(MeetlogError) -> ProjectedState {
    try runResuming(
      store, point, weights: weights, withItems: withItems, closedItems: closedItems, withTopics: withTopics, useSnapshots: useSnapshots
    ).state
  }

  /// `run` with the items left in the fold: the state's item list is empty and `items`
  /// (nil without `withItems`) holds them, for `StateRenderer` to write without making
  /// an `ItemState` per item. What is printed is the same. `tableOnly` says the items
  /// will only be printed as a table without colours: the open items may then come as a
  /// snapshot's stored table (`OpenTablePart`).
  public static func runFolded(
    _ store: some EventStore, _ point: PointInTime, weights: ScoreWeights = ScoreWeights(), withItems: Bool = true,
    closedItems: Bool = true, withTopics: Bool = true, useSnapshots: Bool = true, tableOnly: Bool = false
  ) throws(MeetlogError) -> (state: ProjectedState, items: FoldedItems?) {
    let run = try runResuming(
      store, point, weights: weights, withItems: withItems, closedItems: closedItems, withTopics: withTopics, useSnapshots: useSnapshots,
      itemStates: false, tableOnly: tableOnly)
    return (run.state, run.items)
  }

  /// `run`, and the cut of the snapshot it resumed from (nil: it folded the whole log);
  /// `itemStates` false leaves the items in `items` (`runFolded`, as `tableOnly`).
  static func runResuming(
    _ store: some EventStore, _ point: PointInTime, weights: ScoreWeights, withItems: Bool, closedItems: Bool = true,
    withTopics: Bool = true, useSnapshots: Bool, itemStates: Bool = true, tableOnly: Bool = false
  ) throws(MeetlogError) -> (state: ProjectedState, resumedCut: Int64?, items: FoldedItems?) {
    try store.readSnapshot { () throws(MeetlogError) in
      let bound = try boundSeq(store, point)
      var resumed: (fold: StateFold, cut: Int64)?
      var pendingItems: RewoundItems?
      /// The snapshot's open items as stored, when they are the list (`OpenItemsPart`),
      /// or their table when that is all that is printed (`OpenTablePart`).
      var openItems: ItemStore?
      var openTable: OpenTablePrinter?
      if useSnapshots, let snapshots = store as? SnapshotStore {
        let fingerprint = FoldSnapshot.fingerprint(weights)
        for s in try snapshots.snapshots() where s.weights == fingerprint {
          guard Int(floorDiv(s.cutMicros, Timestamp.microsPerDay)) <= point.day,
            try snapshots.isUsable(s, bound: bound, asOfMicros: point.asOfMicros)
          else {
            // A point before the snapshot's cut, or a backfill after it: resume from one
            // of its checkpoints.
            if let fold = try snapshots.checkpointFold(
              s, bound: bound, asOfMicros: point.asOfMicros ?? Int64.max, weights: weights, pointDay: point.day, withItems: withItems,
              withTopics: withTopics)
            {
              resumed = (fold.fold, fold.cut)
              pendingItems = fold.items
              break
            }
            continue
          }
          // Only the open items listed, and nothing after the cut pledging, updating or
          // resolving one: they are the snapshot's open items as stored, and the
          // relations count the items from the relations part.
          if withItems && !closedItems, try !snapshots.addsOrTouchesItems(after: s, bound: bound, asOfMicros: point.asOfMicros) {
            if tableOnly, let table = try snapshots.storedOpenTable(s) {
              // The printer's thread checks the table's hash (and writes rows ahead) while
              // this one loads the relations.
              let printer = OpenTablePrinter(table, pointDay: point.day)
              if let fold = try snapshots.loadFold(s, weights: weights, pointDay: point.day, withItems: false, withTopics: withTopics),
                printer.isIntact()
              {
                openTable = printer
                resumed = (fold, s.cutMicros)
                break
              }
            }
            if let bytes = try snapshots.storedOpenItems(s), let open = OpenItemsPart.store(bytes, checked: true),
              let fold = try snapshots.loadFold(s, weights: weights, pointDay: point.day, withItems: false, withTopics: withTopics)
            {
              openItems = open
              resumed = (fold, s.cutMicros)
              break
            }
          }
          var needItems = withItems
          if !needItems { needItems = try snapshots.touchesItems(after: s, bound: bound, asOfMicros: point.asOfMicros) }
          if let fold = try snapshots.loadFold(s, weights: weights, pointDay: point.day, withItems: needItems, withTopics: withTopics) {
            resumed = (fold, s.cutMicros)
            break
          }
        }
      }
      var fold = resumed?.fold ?? StateFold(weights: weights, pointDay: point.day, keepDetails: withItems, countTopics: withTopics)
      if try !foldEvents(store, into: &fold, bound: bound, after: resumed?.cut, upTo: point.asOfMicros, pendingItems: pendingItems) {
        // The checkpoint's items could not be made (a damaged snapshot): fold the whole log.
        resumed = nil
        fold = StateFold(weights: weights, pointDay: point.day, keepDetails: withItems, countTopics: withTopics)
        try foldEvents(store, into: &fold, bound: bound, after: nil, upTo: point.asOfMicros)
      }
      var state: ProjectedState
      var items: FoldedItems?
      if let openTable, resumed != nil {
        state = fold.foldedResult(point: point, seq: bound, withItems: false, closedItems: false, withTopics: withTopics).state
        items = FoldedItems(openTable, pointDay: point.day)
      } else if let openItems, resumed != nil {
        state = fold.foldedResult(point: point, seq: bound, withItems: false, closedItems: false, withTopics: withTopics).state
        items = FoldedItems(openItems, pointDay: point.day, closedItems: false)
      } else {
        if withItems, let snapshots = store as? SnapshotStore { try snapshots.readDetails(into: &fold, closedItems: closedItems) }
        (state, items) = fold.foldedResult(
          point: point, seq: bound, withItems: withItems, closedItems: closedItems, withTopics: withTopics)
      }
      if itemStates {
        state.items = items?.itemStates() ?? []
        items = nil
      }
      return (state, resumed?.cut, items)
    }
  }

  /// Folds the included events with seq ≤ `bound` that occurred after `after` (when
  /// resuming a snapshot) and at or before `upTo`, in (`occurred_at`, `seq`) order.
  ///
  /// Two cores: a `FoldReader` on a second thread reads and decompresses the events in
  /// batches while this thread decodes and folds them. The reader owns the store's
  /// connection until it has finished.
  ///
  /// With `pendingItems` (resuming from a checkpoint), the fold's items are still being
  /// made: the events are decoded and kept until they are ready, then folded. False when
  /// they could not be made (nothing was folded then).
  @discardableResult
  static func foldEvents(
    _ store: some EventStore, into fold: inout StateFold, bound: Int64, after: Int64?, upTo: Int64?, pendingItems: RewoundItems? = nil
  ) throws(MeetlogError) -> Bool {
    var query = EventQuery()
    query.maxSeq = bound
    query.occurredAtMost = upTo
    if let after { query.occurredAtLeast = after + 1 }
    query.excludedTypes = [.eventRetracted]
    query.byOccurrence = true
    return try foldRead(
      by: FoldReader(store: store, query: query, bound: bound, resuming: after != nil),
      into: &fold, pendingItems: pendingItems)
  }

  /// Folds what `reader` reads on a second thread (or first, when no thread can start);
  /// false when `pendingItems` came back nil.
  private static func foldRead(by reader: FoldReader, into fold: inout StateFold, pendingItems: RewoundItems?) throws(MeetlogError)
    -> Bool
  {
    var pending = pendingItems
    var kept: [FoldEvent] = []
    var itemsMissing = false
    /// Installs the items once they are ready (or, with `wait`, when they are), then
    /// folds the events kept meanwhile; false while they are still being made.
    func itemsInstalled(wait: Bool) -> Bool {
      guard let rewinding = pending else { return true }
      guard wait || rewinding.isReady else { return false }
      pending = nil
      guard let items = rewinding.take() else {
        itemsMissing = true
        return true
      }
      fold.items = items
      for event in kept { fold.applyRecording(event) }
      kept = []
      return true
    }
    let bound = reader.bound
    let progress = reader.store.progress
    let handOff = HandOff<FoldReader.Batch>(capacity: 8)
    let thread = BackgroundThread { [reader, handOff] in reader.read(into: handOff) }
    // Without a second thread, read everything first (an unbounded hand-off).
    let batches = thread == nil ? HandOff<FoldReader.Batch>(capacity: Int.max) : handOff
    if thread == nil { reader.read(into: batches) }
    var failure: MeetlogError?
    var reported = 0
    while let batch = batches.take() {
      switch batch {
      case .events(let payloads, let read):
        // After a failure, drain the hand-off so that the reader can finish.
        guard failure == nil && !itemsMissing else { continue }
        // Each event folded as it is decoded once the items are in (kept until then):
        // collecting a batch first copied every event and its Strings once more.
        let direct = itemsInstalled(wait: false) && !itemsMissing
        do throws(MeetlogError) {
          try payloads.forEach { (bytes, seq) throws(MeetlogError) in
            guard let event = try FoldReader.decode(bytes, seq: seq, topics: &fold.topics, cities: &fold.cities) else { return }
            if direct { fold.applyRecording(event) } else { kept.append(event) }
          }
        } catch {
          failure = error
        }
        if read - reported >= 4096 {
          reported = read
          progress?.progress(done: read, total: Int(bound))
        }
      case .failed(let error):
        if failure == nil { failure = error }
      }
    }
    thread?.join()
    if let failure { throw failure }
    _ = itemsInstalled(wait: true)
    return !itemsMissing
  }

  /// The state folded by `Projector`, the reference fold (for tests and comparisons).
  public static func runReference(
    _ store: some EventStore, _ point: PointInTime, weights: ScoreWeights = ScoreWeights()
  ) throws(MeetlogError) -> ProjectedState {
    try store.readSnapshot { () throws(MeetlogError) in
      let bound = try boundSeq(store, point)
      var projector = Projector(point: point, weights: weights)
      try includedEvents(store, point, bound: bound) { projector.apply($0.event) }
      return projector.result(seq: bound)
    }
  }
}

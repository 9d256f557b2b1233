/// Which relation a pair of countries has, by pair: a flat table over every pair of
/// two-letter codes (676 × 676), read once or twice for every event a replay folds,
/// where a dictionary hashed each pair.
struct PairTable {
  private static let side = 26 * 26
  /// Relation index + 1 per pair; 0 for none. Allocated on the first insertion.
  private var slots: [Int32] = []
  /// Pairs outside the table (an index past ZZ cannot come from a valid code).
  private var others: [PairIndex: Int] = [:]

  init() {}

  /// The table of `pairs`, each naming its position in the sequence.
  init<S: Sequence>(pairs: S) where S.Element == PairIndex {
    for (index, pair) in pairs.enumerated() { self[pair] = index }
  }

  private static func position(_ pair: PairIndex) -> Int? {
    let (a, b) = (Int(pair >> 16), Int(pair & 0xFFFF))
    return a < side && b < side ? a * side + b : nil
  }

  subscript(pair: PairIndex) -> Int? {
    get {
      guard let position = Self.position(pair) else { return others[pair] }
      guard position < slots.count else { return nil }
      let value = slots[position]
      return value == 0 ? nil : Int(value) - 1
    }
    set {
      guard let position = Self.position(pair) else {
        others[pair] = newValue
        return
      }
      if slots.isEmpty { slots = [Int32](repeating: 0, count: Self.side * Self.side) }
      slots[position] = newValue.map { Int32($0) + 1 } ?? 0
    }
  }
}

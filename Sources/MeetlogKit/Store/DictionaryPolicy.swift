/// When the store trains a zstd dictionary, and on what.
///
/// Events are short (about 440 bytes) and alike, so a dictionary shrinks them by more
/// than half. The first one is trained when the log reaches `firstAt` events, a new one
/// each time the log has grown `growth` times since the last; a batch is compressed with
/// the newest. Rows keep the dictionary they were written with (`dict_id`), so older
/// rows, including those written before any dictionary existed, stay readable.
enum DictionaryPolicy {
  static let firstAt: Int64 = 1_000
  static let growth: Int64 = 10
  static let maxSamples = 5_000
  /// The largest dictionary: about 110 KiB, where the gain levels off on meetlog's events.
  static let maxBytes = 112_640
  static let minBytes = 8_192

  static func shouldTrain(logSize: Int64, lastLogSize: Int64?) -> Bool {
    guard logSize >= firstAt else { return false }
    guard let lastLogSize else { return true }
    return logSize >= lastLogSize * growth
  }

  /// At most `count` elements, spread evenly over `list`.
  static func spread<T>(_ list: [T], count: Int) -> [T] {
    guard list.count > count else { return list }
    return (0..<count).map { list[$0 * list.count / count] }
  }

  /// A dictionary a tenth the size of its samples, within the bounds; nil when zstd
  /// cannot train on them.
  static func train(_ samples: [[UInt8]]) -> [UInt8]? {
    let total = samples.reduce(0) { $0 + $1.count }
    let capacity = min(maxBytes, max(minBytes, total / 10))
    return ZstdDictionaryTrainer.train(samples: samples, capacity: capacity)
  }
}

/// Large values a command has finished with, left for the end of the process to
/// reclaim: a 100,000-event append spent about 0.1 s freeing its parsed events and their
/// outcomes one string at a time just before exiting (compilers skip such frees the
/// same way). Only for values the command holds until it returns anyway.
public enum ProcessEnd {
  nonisolated(unsafe) private static var kept: [Any] = []

  /// Keeps `value` alive until the process exits; call from the main thread.
  public static func reclaim(_ value: Any) {
    kept.append(value)
  }
}

import ArgumentParser
import MeetlogKit

/// `--store PATH`, shared by every command.
struct StoreOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("The store file (default: $MEETLOG_STORE, else ./meetlog.db).", valueName: "path"))
  var store: String?

  var path: String { Self.path(store) }

  /// `--store`, else `$MEETLOG_STORE`, else ./meetlog.db.
  static func path(_ store: String?) -> String {
    if let store { return store }
    if let env = FileIO.environment("MEETLOG_STORE"), !env.isEmpty { return env }
    return "meetlog.db"
  }
}

/// `--as-of`, `--known-at`, `--at-seq`: which events a replay includes.
struct PointOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Only events that occurred at or before T (a date means the end of that day, UTC).", valueName: "T"))
  var asOf: String?

  @Option(help: ArgumentHelp("Only events recorded at or before T: what the log knew then.", valueName: "T"))
  var knownAt: String?

  @Option(help: ArgumentHelp("Only events with seq ≤ N.", valueName: "N"))
  var atSeq: Int64?

  func point() throws -> PointInTime {
    if let atSeq, atSeq < 0 { throw MeetlogError(.usage, "--at-seq: \(atSeq) is negative") }
    return PointInTime(
      asOf: try parseTime(asOf, option: "--as-of"), knownAt: try parseTime(knownAt, option: "--known-at"), atSeq: atSeq,
      now: try WallClock.now())
  }
}

/// Parses a command-line date or date-time, as a usage error when it is invalid.
func parseTime(_ text: String?, option: String) throws -> Timestamp? {
  guard let text else { return nil }
  switch Timestamp.parse(text) {
  case .success(let t): return t
  case .failure(let e): throw MeetlogError(.usage, "\(option): \"\(text)\" is not a date or date-time: \(e.reason)")
  }
}

extension OutputFormat: ExpressibleByArgument {}
extension StateSection: ExpressibleByArgument {}

/// `--format table|json|ndjson|markdown`.
struct FormatOption: ParsableArguments {
  @Option(help: ArgumentHelp("Output format: table, json, ndjson or markdown.", valueName: "format"))
  var format: OutputFormat = .table
}

/// `--weights FILE`: score weights overriding the defaults.
struct WeightsOption: ParsableArguments {
  @Option(help: ArgumentHelp("A JSON file of score weights overriding the defaults (docs/scoring.md).", valueName: "file"))
  var weights: String?

  func load() throws -> ScoreWeights {
    guard let weights else { return ScoreWeights() }
    return try ScoreWeights.parse(try FileIO.read(path: weights), file: weights)
  }
}

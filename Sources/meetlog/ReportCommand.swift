import ArgumentParser
import MeetlogKit

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report", abstract: "Write a self-contained HTML report: timeline, score curve and items of a pair.",
    discussion: """
      One HTML file with inline SVG that loads nothing from the network: a timeline of
      meetings, pledges opened and closed, thanks and statements; the cooperation-score
      curve up to the point in time; the open and closed items. --all-pairs adds an
      overview table and a section per pair. Without --output the HTML goes to stdout.

      Examples:
        meetlog report --pair BA-SI --output report.html
        meetlog report --pair SI-BA --as-of 2023-12-31 --output 2023.html
        meetlog report --all-pairs --output overview.html
      """)

  @OptionGroup var store: StoreOptions
  @OptionGroup var point: PointOptions

  @Option(help: ArgumentHelp("The pair to report, two country codes (BA-SI; either order).", valueName: "A-B"))
  var pair: String?

  @Flag(help: "Report every pair, with an overview table.")
  var allPairs = false

  @Option(name: .shortAndLong, help: ArgumentHelp("The HTML file to write (default: standard output).", valueName: "file"))
  var output: String?

  @OptionGroup var weights: WeightsOption

  func validate() throws {
    if (pair == nil) == !allPairs {
      throw ValidationError("give either --pair A-B or --all-pairs")
    }
  }

  func run() throws {
    let selection = try pair.map { [try Self.pairKey($0)] as Set<String> }
    let point = try point.point()
    let scoreWeights = try weights.load()
    let store = try SQLiteEventStore(path: store.path, mode: .read)
    store.progress = ProgressLine.forStandardError("replaying")
    defer { store.progress?.finish() }
    let report = try ReportQuery.run(store, point, weights: scoreWeights, pairs: selection)
    store.progress?.finish()
    let html = ReportHTML.render(report, overview: allPairs)
    if let output, output != "-" {
      try FileIO.writeFile(path: output, bytes: Array(html.utf8))
      FileIO.writeStandardError("meetlog: wrote \(output) (\(report.pairs.count) pair\(report.pairs.count == 1 ? "" : "s"))\n")
    } else {
      FileIO.writeStandardOutput(html)
    }
  }

  /// `SI-BA` or `BA-SI` → `BA-SI`, each code checked.
  static func pairKey(_ text: String) throws -> String {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 2 else { throw MeetlogError(.usage, "--pair: \"\(text)\" is not two country codes joined by - (BA-SI)") }
    for code in parts where !CountryCode.isValid(code) {
      throw MeetlogError(.usage, "--pair: \(CountryCode.problem(with: code))")
    }
    guard parts[0] != parts[1] else { throw MeetlogError(.usage, "--pair: \"\(text)\" names one country twice") }
    return CountryCode.pairKey(parts[0], parts[1])
  }
}

import MeetlogKit

/// What `meetlog append` was asked to do, read from the command line without
/// ArgumentParser when the arguments have one of the plain shapes scripts use.
///
/// Scripts start one `meetlog append` per event, and ArgumentParser's first parse in
/// a process reflects over the whole command tree and looks up protocol conformances in
/// a binary that links FoundationEssentials: about 4 ms of a 17 ms append. Anything
/// this reader does not know for certain (help, an unknown or repeated option, a
/// missing or odd value) makes it decline, and ArgumentParser parses and explains as
/// before. `AppendArgumentsTests` checks that both read every accepted command line
/// alike.
struct AppendArguments: Equatable {
  var store: String?
  var expectSeq: Int64?
  var format: OutputFormat = .table
  var files: [String] = []

  init(store: String?, expectSeq: Int64?, format: OutputFormat, files: [String]) {
    self.store = store
    self.expectSeq = expectSeq
    self.format = format
    self.files = files
  }

  /// The arguments after `append`; nil when ArgumentParser should read them.
  init?(plain arguments: [String]) {
    var seen = Set<String>()
    var index = 0
    var onlyFiles = false
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      if onlyFiles || argument == "-" || !argument.hasPrefix("-") {
        files.append(argument)
        continue
      }
      if argument == "--" {
        onlyFiles = true
        continue
      }
      // --name value or --name=value, each option at most once.
      var name = argument
      var value: String?
      if let equals = argument.firstIndex(of: "=") {
        name = String(argument[..<equals])
        value = String(argument[argument.index(after: equals)...])
      }
      guard ["--store", "--expect-seq", "--format"].contains(name), seen.insert(name).inserted else { return nil }
      if value == nil {
        guard index < arguments.count, !arguments[index].hasPrefix("-") else { return nil }
        value = arguments[index]
        index += 1
      }
      guard let text = value, !text.isEmpty else { return nil }
      switch name {
      case "--store":
        store = text
      case "--expect-seq":
        guard text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let n = Int64(text) else { return nil }
        expectSeq = n
      default:
        guard let f = OutputFormat(rawValue: text) else { return nil }
        format = f
      }
    }
  }
}

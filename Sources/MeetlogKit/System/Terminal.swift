#if canImport(Glibc)
  import Glibc
#endif

/// Decides what a stream can show: colour and progress lines only reach a terminal.
///
/// Colour: `NO_COLOR` set to anything non-empty turns it off (no-color.org); otherwise
/// `MEETLOG_COLOR=always|never` decides, and by default only a terminal whose `TERM` is
/// not `dumb` gets colour. Progress: `MEETLOG_PROGRESS=always|never`, by default only
/// when standard error is a terminal.
public enum Terminal {
  public static func isTerminal(_ fd: Int32) -> Bool {
    guard isatty(fd) == 1 else { return false }
    return FileIO.environment("TERM") != "dumb"
  }

  public static func colour(_ fd: Int32) -> Bool {
    if let noColour = FileIO.environment("NO_COLOR"), !noColour.isEmpty { return false }
    switch FileIO.environment("MEETLOG_COLOR") {
    case "always": return true
    case "never": return false
    default: return isTerminal(fd)
    }
  }

  public static var colourStandardOutput: Bool { colour(STDOUT_FILENO) }
  public static var colourStandardError: Bool { colour(STDERR_FILENO) }

  /// Whether long work shows a progress line on standard error.
  public static var progress: Bool {
    switch FileIO.environment("MEETLOG_PROGRESS") {
    case "always": return true
    case "never": return false
    default: return isTerminal(STDERR_FILENO)
    }
  }
}

/// ANSI styles for table cells and messages; `apply` leaves text alone when colour is off.
public enum TextStyle: Sendable {
  case bold, dim, red, green, yellow, blue

  var code: String {
    switch self {
    case .bold: "1"
    case .dim: "2"
    case .red: "31"
    case .green: "32"
    case .yellow: "33"
    case .blue: "34"
    }
  }

  public func apply(_ text: String, colour: Bool) -> String {
    colour ? "\u{1B}[\(code)m" + text + "\u{1B}[0m" : text
  }
}

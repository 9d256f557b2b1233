#if canImport(Glibc)
  import Glibc
#endif

/// Told how far long work got, for a progress line; the store calls it every few
/// thousand events, so it must be cheap.
public protocol ProgressObserver: AnyObject {
  func progress(done: Int, total: Int)
  /// The work ended (or failed): remove what was shown.
  func finish()
}

/// A progress line on standard error: what, how many of how many, the rate and the
/// time left. It appears only after half a second (short work stays silent), redraws
/// at most ten times a second, and is erased when the work ends.
public final class ProgressLine: ProgressObserver {
  let label: String
  let unit: String
  let start = ProgressLine.seconds()
  let delay: Double
  var lastDraw = 0.0
  var shown = false

  /// `label` says what is happening ("appending"); `unit` what is counted ("events").
  public init(label: String, unit: String = "events", delay: Double = 0.5) {
    self.label = label
    self.unit = unit
    self.delay = delay
  }

  /// A line when standard error should show one (`Terminal.progress`), else nil.
  public static func forStandardError(_ label: String) -> ProgressLine? {
    Terminal.progress ? ProgressLine(label: label, delay: FileIO.environment("MEETLOG_PROGRESS") == "always" ? 0 : 0.5) : nil
  }

  static func seconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
  }

  public func progress(done: Int, total: Int) {
    let now = Self.seconds()
    let elapsed = now - start
    guard elapsed >= delay, now - lastDraw >= 0.1 || !shown else { return }
    lastDraw = now
    shown = true
    FileIO.writeStandardError("\r\u{1B}[K" + Self.describe(label: label, unit: unit, done: done, total: total, elapsed: elapsed))
  }

  public func finish() {
    if shown { FileIO.writeStandardError("\r\u{1B}[K") }
    shown = false
  }

  /// `appending 45,056/100,000 events (45%), 61,234 events/s, 1 s left`.
  static func describe(label: String, unit: String, done: Int, total: Int, elapsed: Double) -> String {
    var text = "\(label) \(grouped(done))/\(grouped(total)) \(unit)"
    if total > 0 { text += " (\(done * 100 / total)%)" }
    guard elapsed > 0, done > 0 else { return text }
    let rate = Double(done) / elapsed
    text += ", \(grouped(Int(rate))) \(unit)/s"
    if total > done { text += ", \(duration(Double(total - done) / rate)) left" }
    return text
  }

  static func duration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded(.up))
    return s < 60 ? "\(s) s" : s < 3600 ? "\(s / 60) min \(s % 60) s" : "\(s / 3600) h \(s % 3600 / 60) min"
  }

  /// 1234567 → `1,234,567`.
  static func grouped(_ n: Int) -> String {
    let digits = String(abs(n))
    var out = ""
    for (i, c) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
      out.append(c)
    }
    return (n < 0 ? "-" : "") + out
  }
}

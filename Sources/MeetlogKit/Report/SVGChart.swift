#if canImport(Glibc)
  import Glibc
#endif

/// The shared geometry of the report's two charts: a day range mapped onto the same
/// horizontal axis, with ticks a reader can use (years, months or weeks).
struct TimeAxis {
  let firstDay: Int
  let lastDay: Int
  let left: Double
  let width: Double

  /// A range of at least 30 days around the given days, so one busy day stays readable.
  init(days: [Int], endingAt pointDay: Int, left: Double, width: Double) {
    var first = days.min() ?? pointDay
    var last = max(days.max() ?? pointDay, pointDay)
    if last - first < 30 {
      let pad = (30 - (last - first) + 1) / 2
      first -= pad
      last += pad
    }
    self.firstDay = first
    self.lastDay = last
    self.left = left
    self.width = width
  }

  func x(_ day: Int) -> Double {
    left + Double(day - firstDay) / Double(lastDay - firstDay) * width
  }

  /// Tick days and their labels.
  var ticks: [(day: Int, label: String)] {
    let span = lastDay - firstDay
    let (y0, m0, _) = civilFromDays(firstDay)
    var result: [(Int, String)] = []
    if span > 3 * 365 {
      let every = max(1, span / 365 / 10 + 1)
      var year = y0 + 1
      while true {
        let day = daysFromCivil(year: year, month: 1, day: 1)
        if day > lastDay { break }
        if (year - y0 - 1) % every == 0 { result.append((day, String(year))) }
        year += 1
      }
    } else if span > 75 {
      let every = span > 730 ? 6 : span > 365 ? 3 : 1
      var (year, month) = m0 == 12 ? (y0 + 1, 1) : (y0, m0 + 1)
      var index = 0
      while true {
        let day = daysFromCivil(year: year, month: month, day: 1)
        if day > lastDay { break }
        if index % every == 0 { result.append((day, String(Timestamp.formatDay(day).prefix(7)))) }
        index += 1
        (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
      }
    } else {
      var day = firstDay + 1
      while day < lastDay {
        result.append((day, Timestamp.formatDay(day)))
        day += max(7, span / 8)
      }
    }
    return result
  }
}

/// Formats a coordinate with one decimal: short SVG, stable output.
func svgNumber(_ value: Double) -> String {
  let tenths = Int((value * 10).rounded())
  let sign = tenths < 0 ? "-" : ""
  return sign + String(abs(tenths) / 10) + (abs(tenths) % 10 == 0 ? "" : "." + String(abs(tenths) % 10))
}

/// Escapes text for HTML and SVG content and attribute values.
func htmlEscape(_ text: String) -> String {
  var out = ""
  out.reserveCapacity(text.utf8.count)
  for c in text {
    switch c {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    case "'": out += "&#39;"
    default: out.append(c)
    }
  }
  return out
}

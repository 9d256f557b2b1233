#if canImport(Glibc)
  import Glibc
#endif

/// The report's SVG charts: the timeline of acts in lanes, and the score curve.
enum ReportCharts {
  static let width = 960.0
  static let left = 120.0
  static let right = 24.0

  static func color(_ mark: TimelineMark) -> String {
    switch mark.lane {
    case .meetings: return "#1f6feb"
    case .pledges: return "#8250df"
    case .thanks: return "#bf3989"
    case .statements: return "#57606a"
    case .closed:
      switch mark.outcome {
      case .fulfilled: return "#1a7f37"
      case .partiallyFulfilled: return "#9a6700"
      case .broken, .withdrawn: return "#cf222e"
      default: return "#6e7781"
      }
    }
  }

  static func shape(_ mark: TimelineMark, x: Double, y: Double) -> String {
    let fill = color(mark)
    let (cx, cy) = (svgNumber(x), svgNumber(y))
    switch mark.lane {
    case .meetings: return "<circle cx=\"\(cx)\" cy=\"\(cy)\" r=\"7\" fill=\"\(fill)\"/>"
    case .pledges:
      return "<path d=\"M\(cx) \(svgNumber(y - 8))l8 14h-16z\" fill=\"\(fill)\"/>"
    case .closed:
      return "<path d=\"M\(cx) \(svgNumber(y + 8))l8 -14h-16z\" fill=\"\(fill)\"/>"
    case .thanks:
      return "<path d=\"M\(cx) \(svgNumber(y - 8))l7 8l-7 8l-7 -8z\" fill=\"\(fill)\"/>"
    case .statements:
      return "<rect x=\"\(svgNumber(x - 1.5))\" y=\"\(svgNumber(y - 9))\" width=\"3\" height=\"18\" fill=\"\(fill)\"/>"
    }
  }

  static func axis(_ axis: TimeAxis, top: Double, bottom: Double) -> String {
    var out = "<g class=\"axis\">"
    out +=
      "<line x1=\"\(svgNumber(left))\" y1=\"\(svgNumber(bottom))\" x2=\"\(svgNumber(width - right))\" y2=\"\(svgNumber(bottom))\" stroke=\"#8c959f\"/>"
    for tick in axis.ticks {
      let x = svgNumber(axis.x(tick.day))
      out += "<line x1=\"\(x)\" y1=\"\(svgNumber(top))\" x2=\"\(x)\" y2=\"\(svgNumber(bottom + 4))\" stroke=\"#d0d7de\"/>"
      out += "<text x=\"\(x)\" y=\"\(svgNumber(bottom + 18))\" text-anchor=\"middle\">\(tick.label)</text>"
    }
    return out + "</g>"
  }

  static func timeline(_ report: PairReport, pointDay: Int) -> String {
    let laneHeight = 36.0
    let top = 12.0
    let lanes = TimelineMark.Lane.allCases
    let bottom = top + laneHeight * Double(lanes.count)
    let height = bottom + 30
    let axis = TimeAxis(
      days: report.timeline.map(\.occurredAt.day), endingAt: pointDay, left: left + 10, width: width - left - right - 20)
    var out =
      "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" role=\"img\" aria-label=\"Timeline of \(report.relation.pair)\">"
    for lane in lanes {
      let y = top + laneHeight * (Double(lane.rawValue) + 0.5)
      out += "<text class=\"lane\" x=\"\(svgNumber(left - 8))\" y=\"\(svgNumber(y + 4))\" text-anchor=\"end\">\(lane.title)</text>"
      out +=
        "<line x1=\"\(svgNumber(left))\" y1=\"\(svgNumber(y))\" x2=\"\(svgNumber(width - right))\" y2=\"\(svgNumber(y))\" stroke=\"#eaeef2\"/>"
    }
    out += ReportCharts.axis(axis, top: top, bottom: bottom)
    let pointX = svgNumber(axis.x(pointDay))
    out +=
      "<line x1=\"\(pointX)\" y1=\"\(svgNumber(top))\" x2=\"\(pointX)\" y2=\"\(svgNumber(bottom))\" stroke=\"#fb8500\" stroke-dasharray=\"4 3\"><title>the point in time: \(Timestamp.formatDay(pointDay))</title></line>"
    for mark in report.timeline {
      let y = top + laneHeight * (Double(mark.lane.rawValue) + 0.5)
      let tip = htmlEscape("\(mark.occurredAt.display) — \(mark.label) [\(mark.eventId)]")
      out += "<g class=\"mark\"><title>\(tip)</title>\(shape(mark, x: axis.x(mark.occurredAt.day), y: y))</g>"
    }
    return out + "</svg>"
  }

  static func scoreCurve(_ report: PairReport, pointDay: Int) -> String {
    let top = 16.0
    let bottom = 220.0
    let height = bottom + 30
    let axis = TimeAxis(days: report.curve.map(\.day), endingAt: pointDay, left: left + 10, width: width - left - right - 20)
    let scores = report.curve.map(\.score)
    var low = min(0, scores.min() ?? 0)
    var high = max(0, scores.max() ?? 0)
    if high - low < 1 { high = low + 1 }
    let pad = (high - low) * 0.08
    low -= low < 0 ? pad : 0
    high += pad
    func y(_ score: Double) -> Double { bottom - (score - low) / (high - low) * (bottom - top) }
    var out =
      "<svg class=\"curve\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" role=\"img\" aria-label=\"Cooperation score of \(report.relation.pair)\">"
    out += ReportCharts.axis(axis, top: top, bottom: bottom)
    for value in Set([low < 0 ? low + pad : low, 0, high - pad]).sorted() {
      let yy = svgNumber(y(value))
      out +=
        "<line x1=\"\(svgNumber(left))\" y1=\"\(yy)\" x2=\"\(svgNumber(width - right))\" y2=\"\(yy)\" stroke=\"\(value == 0 ? "#8c959f" : "#eaeef2")\"/>"
      out +=
        "<text class=\"lane\" x=\"\(svgNumber(left - 8))\" y=\"\(svgNumber(y(value) + 4))\" text-anchor=\"end\">\(formatDecimal2(value))</text>"
    }
    if !report.curve.isEmpty {
      // A step at each event's day: the score jumps there and decays in between.
      var points: [String] = []
      var previous: ScorePoint?
      for p in report.curve {
        if let previous, p.day > previous.day + 1 {
          let decayed = previous.score * pow(0.5, Double(p.day - 1 - previous.day) / ScoreWeights.halfLifeDays)
          points.append("\(svgNumber(axis.x(p.day - 1))),\(svgNumber(y(decayed)))")
        }
        points.append("\(svgNumber(axis.x(p.day))),\(svgNumber(y(p.score)))")
        previous = p
      }
      out += "<polyline fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>"
      let last = report.curve[report.curve.count - 1]
      out +=
        "<circle cx=\"\(svgNumber(axis.x(last.day)))\" cy=\"\(svgNumber(y(last.score)))\" r=\"4\" fill=\"#1f6feb\"><title>\(Timestamp.formatDay(last.day)): \(formatDecimal2(last.score))</title></circle>"
    }
    return out + "</svg>"
  }
}

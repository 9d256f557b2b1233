/// Writes events as rows of the GDELT 2.0 event table: 61 tab-separated columns, no
/// header, one row per directed act (`docs/interop.md` maps every column).
///
/// meetlog knows no article counts or tone: `NumMentions`, `NumSources` and
/// `NumArticles` are 1, `AvgTone` 0. Actors' geography is left empty; the action's is
/// the meeting's city, with GDELT's FIPS country code.
public enum GDELTWriter {
  public static let columns: [String] =
    ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"]
    + actorColumns("Actor1") + actorColumns("Actor2")
    + [
      "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale", "NumMentions", "NumSources",
      "NumArticles", "AvgTone",
    ]
    + geoColumns("Actor1Geo") + geoColumns("Actor2Geo") + geoColumns("ActionGeo") + ["DATEADDED", "SOURCEURL"]

  static func actorColumns(_ prefix: String) -> [String] {
    [
      "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code", "Type1Code", "Type2Code",
      "Type3Code",
    ]
    .map { prefix + $0 }
  }

  static func geoColumns(_ prefix: String) -> [String] {
    ["_Type", "_FullName", "_CountryCode", "_ADM1Code", "_ADM2Code", "_Lat", "_Long", "_FeatureID"].map { prefix + $0 }
  }

  /// The rows of one event; `GLOBALEVENTID` is seq × 1000 plus the row's number.
  public static func rows(_ recorded: RecordedEvent, _ act: CodedAct) -> String {
    let day = recorded.event.occurredAt.day
    let (year, month, dayOfMonth) = civilFromDays(day)
    let date = Timestamp.formatDay(day).replacingAll("-", with: "")
    let fraction = Double(year) + Double((month - 1) * 30 + dayOfMonth) / 365
    let added = Timestamp.formatUTC(recorded.recordedAt.micros).prefix(19).filter { $0.isNumber }
    var out = ""
    for (index, row) in act.directed().enumerated() {
      var cells: [String] = [
        String(recorded.seq * 1000 + Int64(index + 1)), date, String(date.prefix(6)), String(year), format4(fraction),
      ]
      cells += actorCells(row.source) + (row.target.map(actorCells) ?? Array(repeating: "", count: 10))
      cells += [
        "1", row.code.rawValue, row.code.base, row.code.root, String(row.code.quadClass), format1(row.code.goldstein), "1", "1", "1", "0",
      ]
      cells += Array(repeating: "", count: 16)
      cells += actionGeo(act.place)
      cells += [String(added), recorded.event.source ?? ""]
      out += cells.map(clean).joined(separator: "\t") + "\n"
    }
    return out
  }

  /// CAMEO actor code: the country's three letters and `GOV` (every actor meetlog
  /// records acts for a government); the EU is CAMEO's `IGOEUREEC`, known group `EEC`.
  static func actorCells(_ actor: CodedActor) -> [String] {
    let name = actor.person?.name ?? CountryTable.name(actor.country).uppercased()
    if actor.country == "EU" {
      return ["IGOEUREEC", name, "EUR", "EEC", "", "", "", "IGO", "", ""]
    }
    let code = CountryTable.alpha3(actor.country)
    return [code + "GOV", name, code, "", "", "", "", "GOV", "", ""]
  }

  /// `ActionGeo_*`: a world city (type 4) named "City, Country", or nothing.
  static func actionGeo(_ place: Place?) -> [String] {
    guard let place else { return ["0", "", "", "", "", "", "", ""] }
    let fips = CountryTable.entry(place.country)?.fips ?? ""
    return ["4", place.city + ", " + CountryTable.name(place.country), fips, fips, "", "", "", ""]
  }

  /// Tabs and line breaks inside a cell would break the layout: they become spaces.
  static func clean(_ cell: String) -> String {
    guard cell.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return cell }
    return String(cell.map { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
  }

  static func format1(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return (tenths < 0 ? "-" : "") + String(abs(tenths) / 10) + "." + String(abs(tenths) % 10)
  }

  static func format4(_ value: Double) -> String {
    let scaled = Int((value * 10_000).rounded())
    let fraction = String(scaled % 10_000)
    return String(scaled / 10_000) + "." + String(repeating: "0", count: 4 - fraction.count) + fraction
  }
}

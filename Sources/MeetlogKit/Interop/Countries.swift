/// Other data sets name countries differently from meetlog's ISO 3166-1 alpha-2:
/// CAMEO, ICEWS and PLOVER use three letters (`BIH`), GDELT's geographic fields use
/// FIPS 10-4 (where `BA` is Bahrain and Bosnia and Herzegovina is `BK`). This table
/// converts, for export and for the report's labels.
public enum CountryTable {
  /// What other codings call one country.
  public struct Entry: Sendable, Equatable {
    /// ISO 3166-1 alpha-3, which CAMEO and PLOVER use for state actors.
    public var alpha3: String
    /// FIPS 10-4, GDELT's geographic country code; nil where FIPS has none.
    public var fips: String?
    /// The short English name.
    public var name: String
  }

  static let entries: [String: Entry] = {
    var table: [String: Entry] = [:]
    for line in rows.split(separator: "\n") {
      let fields = line.split(separator: " ", maxSplits: 3)
      let fips = String(fields[2])
      table[String(fields[0])] = Entry(alpha3: String(fields[1]), fips: fips == "--" ? nil : fips, name: String(fields[3]))
    }
    return table
  }()

  /// The entry of a code meetlog accepts (every one has an entry).
  public static func entry(_ alpha2: String) -> Entry? { entries[alpha2] }

  public static func alpha3(_ alpha2: String) -> String { entries[alpha2]?.alpha3 ?? alpha2 }

  public static func name(_ alpha2: String) -> String { entries[alpha2]?.name ?? alpha2 }
}

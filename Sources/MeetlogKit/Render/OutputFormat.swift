/// The output formats of reading commands: `table` for people, `json` as the stable
/// contract for scripts, `ndjson` one object per line, `markdown` for reports.
public enum OutputFormat: String, Sendable, CaseIterable {
  case table, json, ndjson, markdown
}

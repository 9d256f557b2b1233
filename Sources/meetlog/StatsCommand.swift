import ArgumentParser
import MeetlogKit

struct StatsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "stats", abstract: "Counts by type, store size, raw size, compression ratio, last seq.",
    discussion: "Example:\n  meetlog stats --format json")

  @OptionGroup var store: StoreOptions
  @OptionGroup var output: FormatOption

  func run() throws {
    let store = try SQLiteEventStore(path: store.path, mode: .read)
    let s = try store.stats()
    let ratio = s.payloadBytes > 0 ? Double(s.rawBytes) / Double(s.payloadBytes) : 0
    switch output.format {
    case .json, .ndjson:
      var w = JSONWriter(indent: output.format == .json ? 2 : 0)
      w.beginObject()
      w.key("events")
      w.int(s.events)
      w.key("last_seq")
      w.int(s.lastSeq)
      w.key("by_type")
      w.beginObject()
      for t in EventType.allCases { w.key(t.rawValue); w.int(s.countsByType[t] ?? 0) }
      w.endObject()
      w.key("store_bytes")
      w.int(s.fileBytes)
      w.key("payload_bytes")
      w.int(s.payloadBytes)
      w.key("raw_bytes")
      w.int(s.rawBytes)
      w.key("compression_ratio")
      w.decimal2(ratio)
      w.field("head_hash", HashChain.hex(s.headHash))
      w.key("format_version")
      w.int(s.formatVersion)
      w.field("first_recorded_at", s.firstRecordedAt)
      w.field("last_recorded_at", s.lastRecordedAt)
      w.endObject()
      FileIO.writeStandardOutput(w.string + "\n")
    case .table, .markdown:
      var t = TextTable(headers: ["WHAT", "VALUE"], rightAligned: [])
      t.add(["events", String(s.events)])
      for type in EventType.allCases { t.add(["  " + type.rawValue, String(s.countsByType[type] ?? 0)]) }
      t.add(["last seq", String(s.lastSeq)])
      t.add(["store size", "\(s.fileBytes) bytes"])
      t.add(["payloads (zstd)", "\(s.payloadBytes) bytes"])
      t.add(["raw (canonical JSON)", "\(s.rawBytes) bytes"])
      t.add(["compression ratio", formatDecimal2(ratio) + "×"])
      t.add(["head hash", HashChain.hex(s.headHash)])
      t.add(["format version", String(s.formatVersion)])
      t.add(["recorded", "\(s.firstRecordedAt ?? "–") … \(s.lastRecordedAt ?? "–")"])
      FileIO.writeStandardOutput(output.format == .markdown ? t.renderMarkdown() : t.renderText(colour: Terminal.colourStandardOutput))
    }
  }
}

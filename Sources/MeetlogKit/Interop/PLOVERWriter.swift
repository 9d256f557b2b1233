/// Writes events as PLOVER JSON records, one per line (the PLOVER manual, 0.7b1,
/// "JSON Data Fields"): compound actors, the category in `event`, the Goldstein value
/// in `event_scale`. Statements have no PLOVER category (it drops CAMEO 01) and are
/// left out, as are updates, retractions and superseded items.
public enum PLOVERWriter {
  public static func record(_ recorded: RecordedEvent, _ act: CodedAct) -> String? {
    guard let category = act.code.plover else { return nil }
    let event = recorded.event
    var w = JSONWriter()
    w.beginObject()
    w.field("id", event.id)
    w.field("date", Timestamp.formatDay(event.occurredAt.day))
    if !event.occurredAt.isDate { w.field("time", String(Timestamp.formatUTC(event.occurredAt.micros).dropFirst(11))) }
    w.key("source")
    writeActors(act.sources, &w)
    w.key("recipient")
    writeActors(act.targets, &w)
    w.field("event", strings: [category])
    if let mode = act.mode { w.field("mode", mode) }
    w.field("quad_code", act.code.quadClass)
    w.key("event_scale")
    w.decimal2(act.code.goldstein)
    w.field("cameo_code", act.code.rawValue)
    w.key("event_loc")
    if let place = act.place {
      w.beginObject()
      w.field("name", place.city)
      w.field("country code", place.country)
      w.field("cc3", CountryTable.alpha3(place.country))
      w.endObject()
    } else {
      w.null()
    }
    w.field("event_text", strings: act.text.map { [$0] } ?? [])
    w.key("cite_info")
    w.beginObject()
    w.field("url", event.source)
    w.field("codebook", "meetlog CAMEO 1.1b3 to PLOVER 0.7b1")
    w.endObject()
    w.field("link", act.link)
    w.field("coder", "meetlog")
    w.field("coded_date", Timestamp.formatDay(recorded.recordedAt.day))
    w.field("comment", "\(event.type.rawValue), seq \(recorded.seq)")
    w.endObject()
    return w.string
  }

  static func writeActors(_ actors: [CodedActor], _ w: inout JSONWriter) {
    w.beginArray()
    for actor in actors {
      w.beginObject()
      w.field("code", actor.country == "EU" ? "EUR" : CountryTable.alpha3(actor.country))
      w.field("sector", actor.country == "EU" ? "IGO" : "GOV")
      w.field("actor_text", actor.person?.name ?? CountryTable.name(actor.country))
      if let role = actor.person?.role { w.field("office", role) }
      w.field("country", actor.country)
      w.endObject()
    }
    w.endArray()
  }
}

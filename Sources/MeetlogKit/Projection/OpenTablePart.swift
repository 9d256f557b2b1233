/// A snapshot's table of its open items (the `open_tables` table): `state`'s items table
/// of the items open at the cut, its rows written when the snapshot is, less the two
/// cells that depend on the day the state is of (OVERDUE and AGE), put in when printed.
///
/// Printing a million-event log's 155,000 open items from their records (`OpenItemsPart`)
/// meant decompressing 40 MB into fresh memory and laying out every cell: about 45 ms of
/// the 80 ms of `meetlog state`. The rows are 27 MB of text, stored in 6.3 MB; printing
/// them decodes one segment at a time on each of two threads into a buffer used again,
/// and copies each row around its two cells. The table is used only for what it was
/// written for: the open items at a point with nothing after the cut that pledges,
/// updates or resolves an item, printed without colours (`StateQuery`); anything else
/// reads the records.
///
/// Stored as one value (little-endian): the magic, the row count, the seven column
/// widths before SUMMARY (Int32 each; OVERDUE's and AGE's are found when printing), the
/// earliest pledge day, the SHA-256 of all the rest (what comes before it and the
/// frames), then one zstd frame per
/// segment of up to `perSegment` rows: the row count n, n due days (`Int32.min` for
/// none), n pledge days, each row's length and where its time cells go in it (two
/// UInt16: as absolute Int32 offsets these columns were a sixth of the compressed
/// value), and the rows' text. The hash is checked before anything is printed (on a
/// second thread while the relations load), and every segment's offsets before its rows
/// are: a damaged table is refused (the state is then printed from the records), never
/// printed.
enum OpenTablePart {
  /// What the value begins with; another number is another layout, not read.
  static let magic: [UInt8] = Array("meetlog-table-2".utf8)
  /// How every version's values begin.
  static let family: [UInt8] = Array("meetlog-table-".utf8)
  /// Columns whose widths are stored (all but SUMMARY).
  static let widthCount = 7
  /// Bytes before the frames: magic, rows, widths, earliest pledge day, hash.
  static let headerSize = magic.count + 8 + 4 * (widthCount + 1) + 32

  /// Rows per segment: at least 2,048, at most 32 segments (decoded and printed by two
  /// threads, each taking the next; a million-event log's are 0.9 MB decoded, which
  /// zstd keeps 1.2% larger than twice that size).
  static func perSegment(count: Int) -> Int { max(2_048, (count + 31) / 32) }

  /// The table of `listed` (the open items, in the order `state` lists them) before
  /// compression: what the header holds, and each segment.
  struct Encoded: Equatable {
    var rows: Int
    var widths: [Int]
    var earliestPledgeDay: Int
    var segments: [[UInt8]]
  }

  /// The table of `listed` in segments of `rowsPerSegment` (`perSegment` by default);
  /// nil for an empty list, or one with a row of 64 KiB or more (none is stored: the
  /// state is printed from the records).
  static func encode(_ listed: FoldedItems, rowsPerSegment: Int? = nil) -> Encoded? {
    guard listed.count > 0 else { return nil }
    let widths = listed.columnWidths()
    let per = max(1, rowsPerSegment ?? perSegment(count: listed.count))
    var earliest = Int32.max
    var segments: [[UInt8]] = []
    for first in stride(from: 0, to: listed.count, by: per) {
      let positions = first..<min(first + per, listed.count)
      var due: [Int32] = []
      var pledgeDays: [Int32] = []
      var rows: [UInt16] = []
      var text: [UInt8] = []
      var tooLong = false
      listed.rowsWithoutTimeCells(positions, widths: widths) { row, timeCellsAt, slot in
        due.append(listed.store.dueDay[Int(slot)])
        pledgeDays.append(Int32(floorDiv(listed.store.pledgedMicros[Int(slot)], Timestamp.microsPerDay)))
        tooLong = tooLong || row.count > Int(UInt16.max)
        rows.append(UInt16(truncatingIfNeeded: row.count))
        rows.append(UInt16(truncatingIfNeeded: timeCellsAt))
        text.append(contentsOf: row)
      }
      guard !tooLong else { return nil }
      earliest = min(earliest, pledgeDays.min()!)
      var w = ByteWriter()
      w.array([Int32(positions.count)])
      w.array(due)
      w.array(pledgeDays)
      w.array(rows)
      w.bytes(text)
      segments.append(w.output)
    }
    return Encoded(rows: listed.count, widths: widths, earliestPledgeDay: Int(earliest), segments: segments)
  }

  /// The value stored: the header, then each segment compressed by `compressor`.
  static func value(_ encoded: Encoded, compressor: ZstdCompressor) -> [UInt8] {
    var frames: [UInt8] = []
    for segment in encoded.segments { frames += compressor.compress(segment) }
    var w = ByteWriter()
    w.bytes(magic)
    w.int(encoded.rows)
    w.array(encoded.widths.map { Int32($0) } + [Int32(encoded.earliestPledgeDay)])
    var hash = SHA256()
    hash.update(w.output)
    hash.update(frames)
    w.bytes(hash.finalize())
    w.bytes(frames)
    return w.output
  }

  /// A stored value read back, its header checked, its frames found but neither hashed
  /// (`Table.isIntact`) nor decoded; nil when it is in another layout or its header or
  /// frames are damaged.
  static func table(_ value: [UInt8]) -> Table? {
    let header = ByteReader(value)
    guard value.count >= headerSize, value.starts(with: magic), let rows: Int64 = header.value(at: magic.count),
      rows > 0, rows < 1 << 31
    else { return nil }
    let numbers = magic.count + 8
    let stored = (0...widthCount).map { k -> Int in Int(header.value(at: numbers + 4 * k) as Int32? ?? -1) }
    guard stored.prefix(widthCount).allSatisfy({ (0..<1 << 16).contains($0) }) else { return nil }
    guard
      let frames = value.withUnsafeBytes({ raw in
        try? ZstdDecompressor.frames(UnsafeRawBufferPointer(rebasing: raw[headerSize...]), limit: Int(Int32.max))
      })
    else { return nil }
    return Table(
      value: value, frames: frames.map { ($0.at + headerSize, $0.count, $0.size) }, rows: Int(rows),
      widths: Array(stored.prefix(widthCount)), earliestPledgeDay: stored[widthCount])
  }

  /// Where the columns of a decoded segment are.
  struct Segment {
    let count: Int
    let due: Int
    let pledgeDays: Int
    /// Each row's length and where its time cells go in it (two UInt16).
    let rows: Int
    let text: Int

    /// The segment in `raw`, its rows checked: their lengths add up to the text's, each
    /// has its time cells inside it and ends a line; nil otherwise.
    init?(_ raw: UnsafeRawBufferPointer) {
      guard raw.count >= 4 else { return nil }
      let n = Int(Int32(littleEndian: raw.loadUnaligned(as: Int32.self)))
      guard n > 0, n <= (raw.count - 4) / 12 else { return nil }
      (count, due, pledgeDays, rows, text) = (n, 4, 4 + 4 * n, 4 + 8 * n, 4 + 12 * n)
      var end = text
      for k in 0..<n {
        let (length, cells) = row(raw, k)
        guard cells < length, length <= raw.count - end, raw[end + length - 1] == UInt8(ascii: "\n") else { return nil }
        end += length
      }
      guard end == raw.count else { return nil }
    }

    func int32(_ raw: UnsafeRawBufferPointer, _ column: Int, _ k: Int) -> Int32 {
      Int32(littleEndian: raw.loadUnaligned(fromByteOffset: column + 4 * k, as: Int32.self))
    }

    /// Row k's length, and where its time cells go in it.
    func row(_ raw: UnsafeRawBufferPointer, _ k: Int) -> (length: Int, timeCellsAt: Int) {
      let both = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: rows + 4 * k, as: UInt32.self))
      return (Int(both & 0xFFFF), Int(both >> 16))
    }
  }

  /// A stored table, not decoded: `OpenTablePrinter` prints its rows for a day.
  struct Table: Sendable {
    /// The stored value: header and frames.
    let value: [UInt8]
    /// Where each segment's frame is in `value`, and how many bytes it decodes to.
    let frames: [(at: Int, count: Int, size: Int)]
    let rows: Int
    /// The widths of the columns before SUMMARY; OVERDUE's and AGE's are found by `layout`.
    let widths: [Int]
    let earliestPledgeDay: Int

    /// Whether the header and frames are those the stored hash was taken of (about 3 ms
    /// for a million-event log's 6.3 MB: SHA-256 runs at 2 GB/s here): until then,
    /// nothing of the table may be printed.
    func isIntact() -> Bool {
      value.withUnsafeBytes { raw in
        let hashAt = headerSize - 32
        var hash = SHA256()
        hash.update(UnsafeRawBufferPointer(rebasing: raw[..<hashAt]))
        hash.update(UnsafeRawBufferPointer(rebasing: raw[headerSize...]))
        return hash.finalize().elementsEqual(raw[hashAt..<headerSize])
      }
    }

    /// Every segment decoded and checked (for `verify`); nil when the hash does not
    /// match or a segment is damaged.
    func decoded() -> Encoded? {
      guard isIntact() else { return nil }
      let decompressor = SegmentDecoder()
      var segments: [[UInt8]] = []
      for k in frames.indices {
        guard let segment = decompressor.decode(frames[k], of: value), Segment(UnsafeRawBufferPointer(segment)) != nil else {
          return nil
        }
        segments.append(Array(segment))
      }
      return Encoded(rows: rows, widths: widths, earliestPledgeDay: earliestPledgeDay, segments: segments)
    }

    /// How the rows are printed as of `pointDay`.
    func layout(pointDay: Int) -> DayLayout {
      let headers = StateRenderer.itemHeaders
      var widths = widths
      // OVERDUE is as wide as its header ("yes" is shorter); AGE as the oldest item's.
      widths[4] = max(headers[4].utf8.count, 3)
      widths[5] = max(headers[5].utf8.count, FoldedItems.digits(max(0, pointDay - earliestPledgeDay)) + 2)
      var header: [UInt8] = []
      FoldedItems.writeHeader(widths: widths, colour: false, into: &header)
      let overdueCells = [true, false].map { overdue in
        var cell = [UInt8](repeating: 0, count: widths[4] + 2)
        cell.withUnsafeMutableBufferPointer { buffer in
          var line = LineWriter(buffer)
          FoldedItems.writeOverdueCell(overdue, widths: widths, colour: false, &line)
        }
        return cell
      }
      return DayLayout(pointDay: pointDay, widths: widths, header: header, overdueCell: overdueCells[0], onTimeCell: overdueCells[1])
    }

    /// Writes the rows of segment `k` as of the layout's day into `out`. The table must
    /// be intact (`isIntact`).
    func write(segment k: Int, _ layout: DayLayout, into out: RowBlock) {
      let decoder = out.reusable as? SegmentDecoder ?? SegmentDecoder()
      out.reusable = decoder
      // The value's hash matched: a segment that does not decode is a fault of the
      // code that wrote it, not damage.
      guard let raw = decoder.decode(frames[k], of: value) else {
        preconditionFailure("segment \(k) of a snapshot's open-items table does not decode")
      }
      guard let segment = Segment(raw) else { preconditionFailure("segment \(k) of a snapshot's open-items table is not whole") }
      let (widths, pointDay) = (layout.widths, layout.pointDay)
      out.reserve(raw.count - segment.text + segment.count * (widths[4] + widths[5] + 4))
      // AGE's cell for one age at a time: the rows come in order of pledge time, so
      // mostly with the same age as the row before.
      var ageCell = [UInt8](repeating: 0, count: widths[5] + 2)
      var cellAge = -1
      var start = 0
      out.write { buffer in
        var line = LineWriter(buffer)
        let text = raw.baseAddress!.assumingMemoryBound(to: UInt8.self) + segment.text
        layout.overdueCell.withUnsafeBufferPointer { overdueCell in
          layout.onTimeCell.withUnsafeBufferPointer { onTimeCell in
            for k in 0..<segment.count {
              let (length, timeCellsAt) = segment.row(raw, k)
              line.bytes(UnsafeBufferPointer(start: text + start, count: timeCellsAt))
              let due = segment.int32(raw, segment.due, k)
              // Every item here is open: `FoldedItems.isOverdue`.
              line.bytes(due != Int32.min && Int(due) < pointDay ? overdueCell : onTimeCell)
              let age = max(0, pointDay - Int(segment.int32(raw, segment.pledgeDays, k)))
              if age != cellAge {
                cellAge = age
                ageCell.withUnsafeMutableBufferPointer { buffer in
                  var cell = LineWriter(buffer)
                  FoldedItems.writeAgeCell(age, widths: widths, &cell)
                }
              }
              ageCell.withUnsafeBufferPointer { line.bytes($0) }
              line.bytes(UnsafeBufferPointer(start: text + start + timeCellsAt, count: length - timeCellsAt))
              start += length
            }
          }
        }
        return line.count
      }
    }
  }

  /// What printing the rows as of a day needs: the widths (OVERDUE's and AGE's found),
  /// the table's header line, and OVERDUE's two cells as bytes.
  struct DayLayout: Sendable {
    let pointDay: Int
    let widths: [Int]
    let header: [UInt8]
    let overdueCell: [UInt8]
    let onTimeCell: [UInt8]
  }

  /// A decompressor and the buffer it decodes segments into, used again for each.
  final class SegmentDecoder {
    private let decompressor = try? ZstdDecompressor()
    private var buffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    deinit { buffer.deallocate() }

    /// The segment in `frame` of `value`, decoded into the buffer (valid until the next
    /// call); nil when it does not decode to its recorded size.
    func decode(_ frame: (at: Int, count: Int, size: Int), of value: [UInt8]) -> UnsafeRawBufferPointer? {
      if buffer.count < frame.size {
        buffer.deallocate()
        buffer = .allocate(byteCount: max(frame.size, 2 * buffer.count), alignment: 16)
      }
      let out = UnsafeMutableRawBufferPointer(rebasing: buffer[..<frame.size])
      let decoded = value.withUnsafeBytes { raw in
        decompressor?.decompressFrame(UnsafeRawBufferPointer(rebasing: raw[frame.at..<(frame.at + frame.count)]), into: out) ?? false
      }
      return decoded ? UnsafeRawBufferPointer(out) : nil
    }
  }
}

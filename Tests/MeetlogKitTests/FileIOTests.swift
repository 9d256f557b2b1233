import Foundation
import Testing

@testable import MeetlogKit

/// `FileIO.read` reads a regular file into one buffer of its size and anything else (a
/// pipe) in chunks: both give every byte, in order.
@Suite struct FileIOTests {
  /// Bytes that differ from one offset to the next, so a chunk out of place shows.
  func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 251) } }

  /// (A file of `FileIO.parallelReadBytes` or more is read in two halves at once.)
  @Test(arguments: [0, 1, 65_535, 65_536, 65_537, 300_001, FileIO.parallelReadBytes, FileIO.parallelReadBytes + 3])
  func readsARegularFileWhole(count: Int) throws {
    let path = Fixtures.tempPath("input.bin")
    let bytes = pattern(count)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    #expect(try FileIO.read(path: path) == bytes)
  }

  @Test func readsAPipeWhole() throws {
    var ends: [Int32] = [0, 0]
    #expect(pipe(&ends) == 0)
    let bytes = pattern(300_001)
    let (readEnd, writeEnd) = (ends[0], ends[1])
    let writer = Thread {
      bytes.withUnsafeBytes { raw in
        var done = 0
        while done < raw.count {
          let n = write(writeEnd, raw.baseAddress! + done, raw.count - done)
          if n <= 0 { break }
          done += n
        }
      }
      close(writeEnd)
    }
    writer.start()
    // The pipe's read end, opened by path: not a regular file, so it is read in chunks.
    let read = try FileIO.read(path: "/proc/self/fd/\(readEnd)")
    close(readEnd)
    #expect(read == bytes)
  }

  @Test func aDirectoryIsNamed() {
    #expect(throws: MeetlogError.self) { try FileIO.read(path: FileManager.default.temporaryDirectory.path) }
    do {
      _ = try FileIO.read(path: FileManager.default.temporaryDirectory.path)
    } catch {
      #expect(error.message.hasSuffix("is a directory"))
    }
  }
}

/// `sameBytes(asJoined:)` compares bytes with segments laid end to end, as
/// `Array(segments.joined()) == bytes` did.
@Suite struct SameBytesTests {
  @Test func comparesWithSegmentsEndToEnd() {
    let bytes: [UInt8] = Array(0..<200).map { UInt8($0) }
    let segments: [[UInt8]] = [Array(bytes[0..<7]), [], Array(bytes[7..<150]), Array(bytes[150...])]
    #expect(bytes.sameBytes(asJoined: segments))
    #expect(bytes.sameBytes(asJoined: [bytes]))
    #expect(![UInt8]().sameBytes(asJoined: [[1]]))
    #expect([UInt8]().sameBytes(asJoined: [[], []]))
    var changed = segments
    changed[3][10] ^= 1
    #expect(!bytes.sameBytes(asJoined: changed))
    #expect(!bytes.sameBytes(asJoined: Array(segments.dropLast())))
    #expect(!bytes.sameBytes(asJoined: segments + [[0]]))
    for split in [0, 1, 99, 200] {
      #expect(bytes.sameBytes(asJoined: [Array(bytes[..<split]), Array(bytes[split...])]) == true)
    }
  }
}

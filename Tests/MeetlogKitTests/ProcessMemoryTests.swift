import CMalloc
import Testing

@testable import MeetlogKit

/// `ProcessMemory.configure` makes large blocks come from the heap (so that the next
/// array reuses their pages once freed, instead of a mapping of its own faulted in fresh).
@Suite struct ProcessMemoryTests {
  @Test func largeBlocksComeFromTheHeap() throws {
    ProcessMemory.configure()
    let size = 32 << 20
    // glibc's count of bytes in blocks mapped on their own, for every thread.
    let mappedBefore = mallinfo2().hblkhd
    let block = try #require(malloc(size))
    defer { free(block) }
    block.initializeMemory(as: UInt8.self, repeating: 0x5A, count: size)
    #expect(mallinfo2().hblkhd < mappedBefore + size)
  }
}

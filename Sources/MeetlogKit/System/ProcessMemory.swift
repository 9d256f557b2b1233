import CMalloc

/// How the process takes memory from the kernel, set once at start.
///
/// A command lives for milliseconds to seconds and touches tens of megabytes of fresh
/// memory: `state --as-of` on a million events took about 9,700 page faults, and glibc
/// handed every large array its own mapping, unmapped again on free. Here large blocks
/// come from the heap, freed memory stays there for the next array, and the heap is backed by transparent huge
/// pages where the kernel allows them (`madvise` mode). Threads other than the main one
/// keep arenas of their own in small pages unless `shareOneArena` (the as-of: 7,300
/// faults with `configure`, 960 with both).
public enum ProcessMemory {
  /// Call first thing in `main`, before any thread starts.
  public static func configure() {
    // Blocks up to 256 MiB from the heap, which is not given back while the process runs.
    _ = mallopt(M_MMAP_THRESHOLD, 256 << 20)
    _ = mallopt(M_TRIM_THRESHOLD, 256 << 20)
    // The heap grows by 64 MiB at least: few brk calls, one huge-page advice.
    _ = mallopt(M_TOP_PAD, 64 << 20)
    // Grow the heap now and advise huge pages for it (the kernel backs each aligned
    // 2 MiB of it with one page when first touched, or falls back to small ones).
    guard let probe = malloc(1 << 20) else { return }
    let start = (UInt(bitPattern: probe) + hugePage - 1) & ~(hugePage - 1)
    free(probe)
    let end = UInt(bitPattern: sbrk(0))
    guard end > start + hugePage, let base = UnsafeMutableRawPointer(bitPattern: start) else { return }
    _ = madvise(base, Int(end - start), MADV_HUGEPAGE)
  }

  /// Lets every thread allocate from the main heap (the huge-paged one) instead of an
  /// arena of its own; call before the threads start. For a query resumed from a
  /// snapshot, whose threads make a few large arrays each (`state --as-of` on a million
  /// events: 7,300 page faults with arenas per thread, 960 without; 37.6 → 31.9 ms,
  /// medians of 40). Not for folds of the whole log or appends, whose threads pass each
  /// other many small blocks: with one arena a 100k replay took 173 → 204 ms and a 100k
  /// append 807 → 989 ms.
  public static func shareOneArena() {
    _ = mallopt(M_ARENA_MAX, 1)
  }

  private static let hugePage: UInt = 2 << 20
}

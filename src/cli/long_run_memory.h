// Memory settings for a process that runs until it is stopped (a continuous streaming query).
//
// Arrow's memory pool is the mimalloc bundled in libarrow, which gives freed pages back to the
// operating system (MADV_DONTNEED) soon after they are freed. A continuous query frees its
// batch's memory and allocates it again a few milliseconds later, so every batch faults those
// pages back in; on a virtual machine whose host reclaims the guest's free memory, such faults
// stall a batch for 100 ms and more, and the backlog behind it grows (measured in
// bench/RESULTS.md's streaming latency section). Keeping freed pages for reuse removes these
// stalls; the process's resident memory then stays at its peak, as a JVM's heap does.
//
// mimalloc reads its options from the environment when libarrow is loaded, before main, so
// they can only be set by starting the program again with them set.
#pragma once

namespace tidelake::cli {

/// Unless the environment already sets mimalloc's purge delay (or another Arrow memory pool):
/// starts the program again, same process id, arguments and environment, with
/// MIMALLOC_PURGE_DELAY=-1 (freed pages are kept for reuse). Returns only when there is nothing
/// to do, or the program cannot be started again (it then goes on with the defaults).
void KeepFreedMemory(char** argv);

}  // namespace tidelake::cli

// Counter-based randomness for the event generators: every draw for event i comes from
// (seed, stream, i) alone, so any range of events can be generated without replaying from
// event 0, and a range gives the same values on every call, in every process.
//
// EventRandom is SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
// generators", 2014) started from a state mixed out of the seed, a stream id (one per purpose:
// an event's fields, its disorder, a string pool...) and the event number. Mixing the start
// state with the SplitMix64 finaliser, a bijection, keeps neighbouring events' sequences
// apart. Bounded draws use Lemire's multiply-shift (no division; a bias below n / 2^64).
#pragma once

#include <cstdint>

namespace tidelake::stream {

/// The SplitMix64 finaliser: a bijection on 64 bits whose outputs look independent.
inline uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// A key for one purpose of one seed, to start EventRandoms from.
inline uint64_t StreamKey(uint64_t seed, uint64_t stream) { return Mix64(seed ^ Mix64(stream + 0x632BE59BD9B4E019ULL)); }

class EventRandom {
 public:
  EventRandom(uint64_t key, uint64_t event) : state_(Mix64(key + event * 0xD1B54A32D192ED03ULL)) {}

  uint64_t Next() {
    state_ += 0x9E3779B97F4A7C15ULL;
    return Mix64(state_);
  }
  /// A value in [0, n), n > 0.
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64); }
  int64_t Below(int64_t n) { return static_cast<int64_t>(Below(static_cast<uint64_t>(n))); }
  int Below(int n) { return static_cast<int>(Below(static_cast<uint64_t>(n))); }
  /// A value in [0, 1), from 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

}  // namespace tidelake::stream

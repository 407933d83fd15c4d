// Random identifiers: version-4 UUIDs for table ids, data file names and commit txnIds.
#pragma once

#include <string>

namespace tidelake {

/// A random version-4 UUID in canonical text form, e.g. d2c639aa-8816-431a-aaf6-d3fe2512ff61.
/// Thread-safe: each thread has its own generator, seeded from std::random_device.
std::string RandomUuid();

}  // namespace tidelake

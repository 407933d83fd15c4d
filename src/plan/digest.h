// Message digests for SQL's md5, sha1 and sha2 (FIPS 180-4, RFC 1321), as lowercase hex.
//
// These are written out here rather than taken from OpenSSL: the pyarrow wheel's libparquet
// exports its own bundled copy of OpenSSL's symbols, so linking the system libcrypto beside it
// would bind some calls to one copy and some to the other. The functions are pure and
// thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tidelake::plan::internal {

std::string Md5Hex(std::string_view data);
std::string Sha1Hex(std::string_view data);
/// bits: 224, 256, 384 or 512 (the caller maps Spark's 0 to 256).
std::string Sha2Hex(std::string_view data, int bits);

}  // namespace tidelake::plan::internal

// Parsing a .npy image held in memory (a member of an .npz archive).
#pragma once

#include "runtime/HostTensor.h"
#include "runtime/Status.h"

#include <cstddef>
#include <cstdint>

namespace weir {

/// Parses the bytes of a .npy file (versions 1.0, 2.0, 3.0), accepting what
/// readNpy (runtime/Npy.h) accepts: C order, little-endian f4 f8 f2 u1 i1 i4
/// i8 b1, exactly the data the shape needs, bools 0 or 1. Errors say what is
/// wrong without a path; the caller prefixes where the bytes came from.
Result<HostTensor> parseNpyBytes(const uint8_t *data, size_t size);

} // namespace weir

//===- Arrays.h - numpy arrays as HostTensors and back -----------*- C++ -*-===//
//
// Arrays going in are borrowed, not copied, when they are C-contiguous
// (a copy is made only of one that is not); tensors coming out become
// numpy arrays that own them.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_PYTHON_ARRAYS_H
#define WEIR_PYTHON_ARRAYS_H

#include "api/Trainer.h"

#include <pybind11/numpy.h>

namespace weir::python {

/// A tensor over a numpy array's memory, and the array it reads (the
/// caller's, or a C-ordered copy of it), which must outlive the tensor.
struct BorrowedArray {
  pybind11::array array;
  HostTensor tensor;
};

/// `object` (a numpy array or anything np.asarray takes) as a tensor
/// without a copy where its layout allows. `what` names it in errors
/// ("x", "validation y"); a dtype the runtime has no type for raises
/// TypeError.
BorrowedArray borrowArray(pybind11::handle object, const char *what);

/// A numpy array that owns `tensor`'s storage (bf16, which numpy has no
/// type for, comes out as float32).
pybind11::array toNumpy(HostTensor tensor);

/// A numpy copy of `tensor`.
pybind11::array copyToNumpy(const HostTensor &tensor);

} // namespace weir::python

#endif // WEIR_PYTHON_ARRAYS_H

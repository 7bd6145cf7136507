//===- WeirDialect.h - the weir dialect, its enums and attributes -*- C++ -*-===//
#ifndef WEIR_DIALECT_WEIRDIALECT_H
#define WEIR_DIALECT_WEIRDIALECT_H

#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"

#include "dialect/WeirDialect.h.inc"
#include "dialect/WeirEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/WeirAttrs.h.inc"

#endif // WEIR_DIALECT_WEIRDIALECT_H

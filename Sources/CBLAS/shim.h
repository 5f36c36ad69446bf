// OpenBLAS's CBLAS interface (Linux). On macOS the Accelerate framework provides the same functions.
#ifndef RNNKIT_CBLAS_SHIM_H
#define RNNKIT_CBLAS_SHIM_H
#include <cblas.h>
#endif

// OpenBLAS's CBLAS interface plus its thread-control entry points.
#ifndef CBLAS_SHIM_H
#define CBLAS_SHIM_H
#include <cblas.h>
#endif

// zlib, for reading gzipped IDX files (Debian's dataset-fashion-mnist ships them gzipped).
#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
#include <zlib.h>
#endif

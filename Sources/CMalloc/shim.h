#ifndef OMS_CMALLOC_SHIM_H
#define OMS_CMALLOC_SHIM_H
// glibc's malloc statistics and trimming (malloc.h is not in Swift's Glibc module).
#include <malloc.h>
#endif

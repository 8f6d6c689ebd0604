#ifndef OMS_CROCKSDB_SHIM_H
#define OMS_CROCKSDB_SHIM_H
#include <rocksdb/c.h>
#endif

#ifndef OMS_CPROTOBUFC_SHIM_H
#define OMS_CPROTOBUFC_SHIM_H
#include <protobuf-c/protobuf-c.h>
#endif

#include "include/CProtos.h"

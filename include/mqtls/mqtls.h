/**
 * @file mqtls.h
 * @brief Everything of libmqtls in one include.
 */
#ifndef MQTLS_H
#define MQTLS_H

#define MQTLS_VERSION_STRING "0.1.0"

#include "mqtls/client.h"
#include "mqtls/codec.h"
#include "mqtls/config.h"
#include "mqtls/platform.h"
#include "mqtls/reason.h"
#include "mqtls/status.h"
#include "mqtls/transport.h"

#endif

/**
 * @file simplelink_api.h
 * @brief TI's SimpleLink Wi-Fi host driver API as mqtls uses it, for the SDK generation the
 *        build selects.
 *
 * Two SDK generations, chosen at compile time:
 *  - default: the CC32xx SDK (CC3220; host driver 2.x). With `MQTLS_HAVE_SIMPLELINK_SDK`
 *    this includes the SDK's `<ti/drivers/net/wifi/simplelink.h>`, otherwise
 *    simplelink_api_cc32xx.h.
 *  - `MQTLS_SL_SDK_CC3200`: the CC3200 SDK 1.x (host driver 1.x). With
 *    `MQTLS_HAVE_SIMPLELINK_SDK` this includes the SDK's `<simplelink.h>`, otherwise
 *    simplelink_api_cc3200.h.
 * `MQTLS_SIMPLELINK_SDK_HEADER` overrides the SDK header's name in either case.
 *
 * The declarations without the SDK have TI's names and values for that SDK (their files cite
 * the sources) and implement nothing. Names that differ between the generations and that the
 * transport needs are mapped in sl_compat.h, not here: this header is the SDK's API only.
 */
#ifndef MQTLS_SIMPLELINK_API_H
#define MQTLS_SIMPLELINK_API_H

#ifdef MQTLS_HAVE_SIMPLELINK_SDK

#ifndef MQTLS_SIMPLELINK_SDK_HEADER
#ifdef MQTLS_SL_SDK_CC3200
#define MQTLS_SIMPLELINK_SDK_HEADER <simplelink.h>
#else
#define MQTLS_SIMPLELINK_SDK_HEADER <ti/drivers/net/wifi/simplelink.h>
#endif
#endif
#include MQTLS_SIMPLELINK_SDK_HEADER

#elif defined(MQTLS_SL_SDK_CC3200)
#include "simplelink_api_cc3200.h"
#else
#include "simplelink_api_cc32xx.h"
#endif

#endif

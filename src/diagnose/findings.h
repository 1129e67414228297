/**
 * @file findings.h
 * @brief Step 1's findings that become the cause (findings.c), for the rules (rules.c).
 *        Private to libmqtls-diag.
 */
#ifndef MQTLS_DIAGNOSE_FINDINGS_H
#define MQTLS_DIAGNOSE_FINDINGS_H

#include "mqtls/diagnose.h"

/**
 * The cause a finding of step 1 (mqtls_diag_facts_t::findings) gives the failure @p f
 * describes, when the finding explains that failure; MQTLS_CAUSE_NONE when none does (the
 * finding then stays a warning and the other rules read the failure).
 */
mqtls_cause_t mqtls__findings_cause(const mqtls_diag_facts_t *f);

#endif

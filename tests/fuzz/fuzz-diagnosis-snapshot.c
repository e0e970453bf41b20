/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The diagnosis state and fail-slow windows read back from the store
 * after a restart: a damaged database must be refused, never crash. */
#include "diagnosis.h"
#include "fuzz.h"

static int no_lookup(void *userdata, const char *device, DiagNode *ret) {
        return -ENOENT;
}

static int take_ring(const char *key, const FailSlowRing *r, void *userdata) {
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char reason[DIAG_SNAPSHOT_REASON_MAX], *t, *again = NULL;
        Diagnosis *d = NULL;

        fuzz_setup();
        t = fuzz_strndup(data, size);
        if (!t)
                return 0;
        if (diagnosis_new(NULL, no_lookup, NULL, NULL, NULL, &d) >= 0) {
                /* What was accepted must write and tick without trouble. */
                if (diagnosis_restore(d, t, size % 2, reason, sizeof(reason)) >= 0) {
                        (void) diagnosis_tick(d, diagnosis_next_deadline(d));
                        (void) diagnosis_snapshot(d, &again);
                        free(again);
                }
                diagnosis_free(d);
        }
        (void) failslow_rings_restore(t, 60 * USEC_PER_SEC, take_ring, NULL, reason, sizeof(reason));
        free(t);
        return 0;
}

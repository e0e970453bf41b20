/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "alloc-util.h"
#include "evidence-state.h"
#include "log.h"
#include "string-util.h"

int evidence_cursor_load(Store *s, KmsgCursor *ret) {
        _cleanup_free_ char *v = NULL;
        char boot[KMSG_BOOT_ID_MAX];
        uint64_t seq;
        int r;

        if (!s)
                return -ENOENT;
        r = store_state_get(s, KMSG_CURSOR_KEY, &v);
        if (r < 0)
                return r;
        if (sscanf(v, "%36s %" SCNu64, boot, &seq) != 2) {
                log_warning("Ignoring the saved kernel log cursor '%s' in '%s': not '<boot id> <seq>'.", v,
                            store_path(s));
                return -ENOENT;
        }
        snprintf(ret->boot_id, sizeof(ret->boot_id), "%s", boot);
        ret->seq = seq;
        return 0;
}

int evidence_state_save(Store *s, const Diagnosis *d, const char *boot_id, const KmsgCursor *cursor,
                        const char *failslow) {
        _cleanup_free_ char *snapshot = NULL;
        char v[KMSG_BOOT_ID_MAX + 32];
        int r;

        assert(s && d);
        r = diagnosis_snapshot(d, &snapshot);
        if (r < 0)
                return r;
        r = store_begin(s);
        if (r < 0)
                return r;
        r = store_state_set(s, DIAGNOSIS_SNAPSHOT_KEY, snapshot);
        if (r >= 0)
                r = store_state_set(s, DIAGNOSIS_BOOT_ID_KEY, strempty(boot_id));
        if (r >= 0 && failslow)
                r = store_state_set(s, FAILSLOW_WINDOWS_KEY, failslow);
        if (r >= 0 && cursor && cursor->boot_id[0]) {
                snprintf(v, sizeof(v), "%s %" PRIu64, cursor->boot_id, cursor->seq);
                r = store_state_set(s, KMSG_CURSOR_KEY, v);
        }
        if (r >= 0)
                r = store_commit(s);
        if (r < 0)
                store_rollback(s);
        return r;
}

int evidence_failslow_load(Store *s, const char *boot_id, char **ret) {
        _cleanup_free_ char *saved_boot = NULL;
        int r;

        if (!s || isempty(boot_id))
                return -ENOENT;
        r = store_state_get(s, DIAGNOSIS_BOOT_ID_KEY, &saved_boot);
        if (r < 0)
                return r;
        if (!streq(saved_boot, boot_id))
                return -ENOENT;
        return store_state_get(s, FAILSLOW_WINDOWS_KEY, ret);
}

int evidence_state_load(Store *s, Diagnosis *d, const char *boot_id) {
        _cleanup_free_ char *snapshot = NULL, *saved_boot = NULL;
        char reason[DIAG_SNAPSHOT_REASON_MAX];
        bool new_boot;
        int r;

        if (!s)
                return 0;
        r = store_state_get(s, DIAGNOSIS_SNAPSHOT_KEY, &snapshot);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                log_warning_errno(r, "Failed to read the diagnosis state from '%s', starting afresh: %m", store_path(s));
                return 0;
        }
        r = store_state_get(s, DIAGNOSIS_BOOT_ID_KEY, &saved_boot);
        if (r < 0 && r != -ENOENT)
                log_debug_errno(r, "Failed to read the boot id of the diagnosis state, taking it as another boot: %m");
        new_boot = isempty(boot_id) || !streq_ptr(saved_boot, boot_id);

        r = diagnosis_restore(d, snapshot, new_boot, reason, sizeof(reason));
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                log_warning("Ignoring the saved diagnosis state in '%s', starting afresh: %s.", store_path(s), reason);
                return 0;
        }
        log_info("Restored the diagnosis state (SERD windows, correlation, held-back faults) from '%s'%s.",
                 store_path(s), new_boot ? ", saved in an earlier boot" : "");
        return 1;
}

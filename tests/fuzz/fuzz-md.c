/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* md's sysfs values, as the inventory turns them into an array's and its
 * members' state: ci_set_md_values() (level, array_state, sync_action,
 * raid_disks, degraded, size) and array_member_set_md_values() (a member's
 * state such as "faulty,write_mostly", slot, errors), with the role derived
 * from them.  The input is split at newlines into those nine values in that
 * order, so a seed may be one attribute file, a recorded /proc/mdstat or a
 * value per line; a missing line is an absent attribute. */
#include "ci.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *f[9] = {};
        _cleanup_(ci_freep) Ci *c = NULL;
        ArrayMember m = { .slot = -1 };
        char *s, *p;

        fuzz_setup();
        s = fuzz_strndup(data, size);
        c = ci_new(CI_ARRAY);
        if (!s || !c) {
                free(s);
                return 0;
        }
        p = s;
        for (size_t i = 0; i < ELEMENTSOF(f) && p; i++) {
                f[i] = p;
                p = strchr(p, '\n');
                if (p)
                        *p++ = '\0';
        }
        (void) ci_set_md_values(c, &(MdArrayValues) {
                                        .level = f[0],
                                        .array_state = f[1],
                                        .sync_action = f[2],
                                        .raid_disks = f[3],
                                        .degraded = f[4],
                                        .size = f[5],
                                });
        (void) array_member_set_md_values(&m, f[6], f[7], f[8]);
        /* What the bus and the journal print of them. */
        (void) member_role_to_string(m.role);
        free(m.state);
        free(s);
        return 0;
}

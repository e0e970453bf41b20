/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <grp.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "bus-util.h"
#include "bus.h"
#include "log.h"
#include "manager.h"
#include "string-util.h"

bool bus_valid_id(const char *s) {
        size_t n;

        if (!s)
                return false;
        n = strlen(s);
        return n > 0 && n <= BUS_ID_MAX &&
               strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:@-") == n;
}

bool bus_valid_device(const char *s) {
        size_t n;

        if (!s)
                return false;
        n = strlen(s);
        if (n == 0 || n > BUS_DEVICE_MAX || streq(s, ".") || streq(s, ".."))
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] <= ' ' || s[i] >= 0x7f || s[i] == '/')
                        return false;
        return true;
}

bool bus_valid_text(const char *s, size_t max, bool empty_ok) {
        size_t n;

        if (!s)
                return false;
        n = strlen(s);
        if (n > max || (n == 0 && !empty_ok))
                return false;
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) s[i] < ' ' || s[i] == 0x7f)
                        return false;
        return true;
}

/* group_gid() - the gid of group @name.  Return: whether *ret was set (a
 * group that cannot be looked up grants nothing). */
static bool group_gid(const char *name, gid_t *ret) {
        struct group g, *res = NULL;
        char buf[4096];

        if (getgrnam_r(name, &g, buf, sizeof(buf), &res) != 0 || !res)
                return false;
        *ret = res->gr_gid;
        return true;
}

int bus_check_privileged(Manager *m, sd_bus_message *message, sd_bus_error *error) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        const char *group = m->config.bus.privileged_group;
        uid_t euid;
        gid_t gid, egid;
        int r;

        /* AUGMENT: dbus-daemon reports the uid; the groups come from
         * /proc/<pid>/status of the caller when the bus cannot say. */
        r = sd_bus_query_sender_creds(message, SD_BUS_CREDS_EUID | SD_BUS_CREDS_EGID |
                                      SD_BUS_CREDS_SUPPLEMENTARY_GIDS | SD_BUS_CREDS_AUGMENT, &creds);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot read the caller's credentials: %m");
        r = sd_bus_creds_get_euid(creds, &euid);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot read the caller's user id: %m");
        if (euid == 0)
                return 1;

        if (group && group_gid(group, &gid)) {
                const gid_t *gids;
                int n;

                if (sd_bus_creds_get_egid(creds, &egid) >= 0 && egid == gid)
                        return 1;
                n = sd_bus_creds_get_supplementary_gids(creds, &gids);
                for (int i = 0; i < n; i++)
                        if (gids[i] == gid)
                                return 1;
        }
        log_info("Refused %s.%s() from uid %u: not root%s%s.", sd_bus_message_get_interface(message),
                 sd_bus_message_get_member(message), (unsigned) euid, group ? " and not in group " : "", strempty(group));
        sd_bus_error_setf(error, BUS_ERROR_NOT_PERMITTED, "%s() needs root%s%s%s.", sd_bus_message_get_member(message),
                          group ? " or membership of group '" : "", strempty(group), group ? "'" : "");
        return 0;
}

int bus_error_from_errno(sd_bus_error *error, int r, const char *what) {
        switch (-r) {
        case ENOENT:
                return sd_bus_error_setf(error, BUS_ERROR_NOT_FOUND, "Cannot %s: not found.", what);
        case EPERM:
                return sd_bus_error_setf(error, BUS_ERROR_REFUSED, "Cannot %s: the incident lifecycle does not allow it.",
                                         what);
        case EINVAL:
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_ARGUMENT, "Cannot %s: invalid argument.", what);
        case EOPNOTSUPP:
                return sd_bus_error_setf(error, BUS_ERROR_NOT_SUPPORTED, "Cannot %s: not supported.", what);
        default:
                return sd_bus_error_set_errnof(error, r, "Cannot %s: %m", what);
        }
}

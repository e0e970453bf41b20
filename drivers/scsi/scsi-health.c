/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "alloc-util.h"
#include "log.h"
#include "scsi-health.h"
#include "scsi-pages.h"

/* The pages read, in this order (see scsi-pages.h). */
static const uint8_t health_pages[] = { 0x02, 0x03, 0x05, 0x06, 0x0d, 0x0e, 0x10, 0x15, 0x2f };

static void note_sense(const ScsiSense *sense, const char *device, usec_t now_usec, EreportSink sink, void *userdata) {
        /* ILLEGAL REQUEST is our asking for something unsupported, not news
         * about the device. */
        if (sense->response_code == 0 || sense->class == SCSI_SENSE_CLASS_ILLEGAL_REQUEST ||
            sense->class == SCSI_SENSE_CLASS_NO_SENSE)
                return;
        scsi_sense_emit(sense, NULL, 0, device, now_usec, sink, userdata);
}

int scsi_read_health(const ScsiTransport *t, const char *device, usec_t now_usec, EreportSink sink, void *userdata,
                     HealthSnapshot **ret) {
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
        _cleanup_free_ uint8_t *buf = NULL;
        uint8_t supported[SCSI_LOG_PAGES_MAX];
        ScsiInquiry inq;
        ScsiSense sense;
        size_t n;
        int r, n_supported, pages_read = 0;

        s = health_snapshot_new(HEALTH_PROTOCOL_SCSI, device);
        buf = malloc(SCSI_LOG_BUFFER_SIZE);
        if (!s || !buf)
                return -ENOMEM;
        s->time_usec = now_usec;

        r = scsi_inquiry(t, false, 0, buf, 96, &n, &sense);
        if (r >= 0)
                r = scsi_parse_inquiry(buf, n, &inq);
        if (r < 0) {
                r = health_snapshot_set_error(s, r, "INQUIRY: %s", strerror(ERRNO_VALUE(r)));
                if (r < 0)
                        return r;
                *ret = TAKE_PTR(s);
                return 0;
        }
        if (asprintf(&s->model, "%s%s%s", inq.vendor, *inq.vendor ? " " : "", inq.product) < 0) {
                s->model = NULL;
                return -ENOMEM;
        }
        s->firmware = strdup(inq.revision);
        if (!s->firmware)
                return -ENOMEM;
        if (scsi_inquiry(t, true, 0x80, buf, 252, &n, &sense) >= 0) {
                r = scsi_parse_vpd_serial(buf, n, &s->serial);
                if (r == -ENOMEM)
                        return r;
        }

        /* TEST UNIT READY: a unit attention after a reset or a mode page
         * change is consumed here (VMLAB.md: retry once). */
        r = scsi_test_unit_ready(t, &sense);
        if (r == -EAGAIN) {
                note_sense(&sense, device, now_usec, sink, userdata);
                r = scsi_test_unit_ready(t, &sense);
        }
        if (r < 0)
                note_sense(&sense, device, now_usec, sink, userdata);

        r = scsi_log_sense(t, 0x00, 0x00, buf, SCSI_LOG_BUFFER_SIZE, &n, &sense);
        n_supported = r >= 0 ? scsi_log_parse_supported(buf, n, supported, ELEMENTSOF(supported)) : r;
        if (n_supported < 0)
                log_debug_errno(n_supported, "LOG SENSE supported pages of '%s', ignoring: %m", device);

        for (size_t i = 0; n_supported > 0 && i < ELEMENTSOF(health_pages); i++) {
                bool listed = false;

                for (int j = 0; j < n_supported; j++)
                        listed = listed || supported[j] == health_pages[i];
                if (!listed)
                        continue;
                r = scsi_log_sense(t, health_pages[i], 0, buf, SCSI_LOG_BUFFER_SIZE, &n, &sense);
                if (r < 0) {
                        note_sense(&sense, device, now_usec, sink, userdata);
                        log_debug_errno(r, "LOG SENSE page 0x%02x of '%s', ignoring: %m", health_pages[i], device);
                        continue;
                }
                r = scsi_log_parse_page(buf, n, s);
                if (r < 0) {
                        log_debug_errno(r, "Log page 0x%02x of '%s' malformed, ignoring: %m", health_pages[i], device);
                        continue;
                }
                pages_read++;
        }

        if (scsi_mode_sense10(t, 0x1c, 0, buf, 252, &n, &sense) >= 0)
                (void) scsi_mode_parse_iec(buf, n, s);

        /* MRIE 6 ("only report informational exception condition on
         * request") delivers a predictive failure in REQUEST SENSE. */
        r = scsi_request_sense(t, false, buf, 252, &n, &sense);
        if (r >= 0 && n > 0) {
                ScsiSense rs;

                if (scsi_sense_decode(buf, n, &rs) >= 0) {
                        if (rs.class == SCSI_SENSE_CLASS_PREDICTIVE_FAILURE && !(s->ie_present && s->ie_asc != 0)) {
                                s->ie_present = true;
                                s->ie_asc = rs.asc;
                                s->ie_ascq = rs.ascq;
                        }
                        note_sense(&rs, device, now_usec, sink, userdata);
                }
        }

        if (s->ie_present)
                s->smart_status = s->ie_asc == 0 ? SMART_STATUS_PASSED : SMART_STATUS_FAILED;

        if (pages_read == 0 && !s->ie_present) {
                r = health_snapshot_set_error(s, EOPNOTSUPP, "no health log pages readable (LOG SENSE %s)",
                                              n_supported < 0 ? strerror(ERRNO_VALUE(n_supported)) : "pages unsupported");
                if (r < 0)
                        return r;
        }
        r = health_assess(s);
        if (r < 0)
                return r;
        health_snapshot_emit(s, device, now_usec, sink, userdata);
        *ret = TAKE_PTR(s);
        return 0;
}

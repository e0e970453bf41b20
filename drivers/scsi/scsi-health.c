/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "log.h"
#include "scsi-health.h"
#include "scsi-pages.h"
#include "string-util.h"

/* The pages read, in this order (see scsi-pages.h). */
static const uint8_t health_pages[] = { 0x02, 0x03, 0x05, 0x06, 0x0d, 0x0e, 0x10, 0x15, 0x2f };
_Static_assert(ELEMENTSOF(health_pages) == SCSI_HEALTH_PAGES_MAX, "health_pages[] and SCSI_HEALTH_PAGES_MAX");

/* The first allocation length of each LOG SENSE, and the buffer's
 * alignment.  A page-aligned buffer of one page is mapped by the block
 * layer as it is; a 64 KiB allocation length at malloc()'s 16-byte
 * alignment made the kernel zero and copy a 64 KiB bounce buffer for every
 * page (blk_rq_map_user_iov(): the SCSI queue's DMA alignment is a cache
 * line).  A page longer than this is read again at its own length. */
#define SCSI_HEALTH_BUFFER_SIZE 4096 /* bytes */

static void note_sense(const ScsiSense *sense, const char *device, usec_t now_usec, EreportSink sink, void *userdata) {
        /* ILLEGAL REQUEST is our asking for something unsupported, not news
         * about the device. */
        if (sense->response_code == 0 || sense->class == SCSI_SENSE_CLASS_ILLEGAL_REQUEST ||
            sense->class == SCSI_SENSE_CLASS_NO_SENSE)
                return;
        scsi_sense_emit(sense, NULL, 0, device, now_usec, sink, userdata);
}

/* read_log_page() - LOG SENSE @page into *@buf (SCSI_HEALTH_BUFFER_SIZE
 * bytes), again into a buffer of SCSI_LOG_BUFFER_SIZE bytes (replacing
 * *@buf) when the page says it is longer.  Return: as scsi_log_sense(). */
static int read_log_page(const ScsiTransport *t, uint8_t page, uint8_t **buf, size_t *buf_size, size_t *ret_len,
                         ScsiSense *sense) {
        size_t n, want;
        int r;

        r = scsi_log_sense(t, page, 0, *buf, *buf_size, &n, sense);
        if (r < 0)
                return r;
        want = n >= 4 ? 4 + (((size_t) (*buf)[2] << 8) | (*buf)[3]) : 0;
        if (want > *buf_size && *buf_size < SCSI_LOG_BUFFER_SIZE) {
                void *big = NULL;

                if (posix_memalign(&big, SCSI_HEALTH_BUFFER_SIZE, SCSI_LOG_BUFFER_SIZE) != 0)
                        return -ENOMEM;
                free(*buf);
                *buf = big;
                *buf_size = SCSI_LOG_BUFFER_SIZE;
                r = scsi_log_sense(t, page, 0, *buf, *buf_size, &n, sense);
                if (r < 0)
                        return r;
        }
        *ret_len = n;
        return 0;
}

/* read_identity() - INQUIRY and VPD 0x80 into @cache.
 * Return: 0, -ENOMEM, or the INQUIRY's -errno. */
static int read_identity(const ScsiTransport *t, uint8_t *buf, ScsiHealthCache *cache) {
        _cleanup_free_ char *serial = NULL;
        ScsiInquiry inq;
        ScsiSense sense;
        size_t n;
        int r;

        r = scsi_inquiry(t, false, 0, buf, 96, &n, &sense);
        if (r >= 0)
                r = scsi_parse_inquiry(buf, n, &inq);
        if (r < 0)
                return r;
        snprintf(cache->model, sizeof(cache->model), "%s%s%s", inq.vendor, *inq.vendor ? " " : "", inq.product);
        snprintf(cache->firmware, sizeof(cache->firmware), "%s", inq.revision);
        cache->has_serial = false;
        if (scsi_inquiry(t, true, 0x80, buf, 252, &n, &sense) >= 0) {
                r = scsi_parse_vpd_serial(buf, n, &serial);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0) {
                        snprintf(cache->serial, sizeof(cache->serial), "%s", serial);
                        cache->has_serial = true;
                }
        }
        return 0;
}

/* read_supported() - LOG SENSE 0x00: which health pages @cache lists. */
static void read_supported(const ScsiTransport *t, const char *device, uint8_t **buf, size_t *buf_size,
                           ScsiHealthCache *cache) {
        uint8_t supported[SCSI_LOG_PAGES_MAX];
        ScsiSense sense;
        size_t n;
        int r;

        r = read_log_page(t, 0x00, buf, buf_size, &n, &sense);
        r = r >= 0 ? scsi_log_parse_supported(*buf, n, supported, ELEMENTSOF(supported)) : r;
        cache->supported_error = MIN(r, 0);
        cache->n_pages = 0;
        if (r < 0) {
                log_debug_errno(r, "LOG SENSE supported pages of '%s', ignoring: %m", device);
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(health_pages); i++)
                for (int j = 0; j < r; j++)
                        if (supported[j] == health_pages[i]) {
                                cache->pages[cache->n_pages++] = health_pages[i];
                                break;
                        }
}

/* read_state() - what changes between reads: the health pages @id lists
 * and REQUEST SENSE, into @s; MODE SENSE 0x1c into @id too, unless
 * @steady (then @id's copy of it is used).  In a @steady read a unit
 * attention stops the read (after noting it).
 * Return: 0, -ENOMEM, -EAGAIN (a unit attention in a @steady read). */
static int read_state(const ScsiTransport *t, const char *device, ScsiHealthCache *id, bool steady,
                      uint8_t **buf, size_t *buf_size, usec_t now_usec, EreportSink sink, void *userdata,
                      HealthSnapshot *s) {
        ScsiSense sense;
        size_t n;
        int r, pages_read = 0;
        bool ie_page = memchr(id->pages, 0x2f, id->n_pages) != NULL;

        for (size_t i = 0; i < id->n_pages; i++) {
                if (steady && id->pages[i] == 0x0d && id->temperature_in_ie)
                        continue; /* the IE page reports it */
                r = read_log_page(t, id->pages[i], buf, buf_size, &n, &sense);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        note_sense(&sense, device, now_usec, sink, userdata);
                        if (r == -EAGAIN && steady)
                                return r;
                        log_debug_errno(r, "LOG SENSE page 0x%02x of '%s', ignoring: %m", id->pages[i], device);
                        continue;
                }
                r = scsi_log_parse_page(*buf, n, s);
                if (r < 0) {
                        log_debug_errno(r, "Log page 0x%02x of '%s' malformed, ignoring: %m", id->pages[i], device);
                        continue;
                }
                pages_read++;
                if (!steady && id->pages[i] == 0x2f) {
                        /* The IE page's own temperature, against the
                         * temperature page's (read before it). */
                        HealthSnapshot ie = { .temperature_mkelvin = HEALTH_VALUE_NONE };

                        id->temperature_in_ie = scsi_log_parse_page(*buf, n, &ie) >= 0 &&
                                                ie.temperature_mkelvin != HEALTH_VALUE_NONE &&
                                                ie.temperature_mkelvin == s->temperature_mkelvin;
                }
        }
        if (!steady)
                id->trip_temperature_mkelvin = s->trip_temperature_mkelvin;
        else if (id->temperature_in_ie)
                s->trip_temperature_mkelvin = id->trip_temperature_mkelvin;

        if (steady) {
                s->ie_enabled_known = id->ie_enabled_known;
                s->ie_enabled = id->ie_enabled;
                s->ie_mrie = id->ie_mrie;
        } else {
                if (scsi_mode_sense10(t, 0x1c, 0, *buf, 252, &n, &sense) >= 0)
                        (void) scsi_mode_parse_iec(*buf, n, s);
                id->ie_enabled_known = s->ie_enabled_known;
                id->ie_enabled = s->ie_enabled;
                id->ie_mrie = s->ie_mrie;
        }

        /* MRIE 6 ("only report informational exception condition on
         * request") delivers a predictive failure in REQUEST SENSE; the
         * IE page has it too, so a steady read of a disk with that page
         * does not ask. */
        r = steady && ie_page ? -ENODATA : scsi_request_sense(t, false, *buf, 252, &n, &sense);
        if (r >= 0 && n > 0) {
                ScsiSense rs;

                if (scsi_sense_decode(*buf, n, &rs) >= 0) {
                        if (rs.class == SCSI_SENSE_CLASS_PREDICTIVE_FAILURE && !(s->ie_present && s->ie_asc != 0)) {
                                s->ie_present = true;
                                s->ie_asc = rs.asc;
                                s->ie_ascq = rs.ascq;
                        }
                        note_sense(&rs, device, now_usec, sink, userdata);
                        /* A pending unit attention is reported here too
                         * (SPC-5 6.39). */
                        if (rs.class == SCSI_SENSE_CLASS_UNIT_ATTENTION && steady)
                                return -EAGAIN;
                }
        }

        if (s->ie_present)
                s->smart_status = s->ie_asc == 0 ? SMART_STATUS_PASSED : SMART_STATUS_FAILED;

        if (pages_read == 0 && !s->ie_present) {
                r = health_snapshot_set_error(s, EOPNOTSUPP, "no health log pages readable (LOG SENSE %s)",
                                              id->supported_error < 0 ? strerror(ERRNO_VALUE(id->supported_error))
                                                                      : "pages unsupported");
                if (r < 0)
                        return r;
        }
        return 0;
}

bool scsi_health_cache_equal(const ScsiHealthCache *a, const ScsiHealthCache *b) {
        return a->valid == b->valid && streq(a->model, b->model) && streq(a->firmware, b->firmware) &&
               a->has_serial == b->has_serial && (!a->has_serial || streq(a->serial, b->serial)) &&
               a->supported_error == b->supported_error && a->n_pages == b->n_pages &&
               memcmp(a->pages, b->pages, MIN((size_t) a->n_pages, sizeof(a->pages))) == 0 &&
               a->ie_enabled_known == b->ie_enabled_known && a->ie_enabled == b->ie_enabled &&
               a->ie_mrie == b->ie_mrie && a->temperature_in_ie == b->temperature_in_ie &&
               a->trip_temperature_mkelvin == b->trip_temperature_mkelvin;
}

int scsi_read_health(const ScsiTransport *t, const char *device, ScsiHealthCache *cache, usec_t now_usec,
                     EreportSink sink, void *userdata, HealthSnapshot **ret) {
        _cleanup_(health_snapshot_freep) HealthSnapshot *s = NULL;
        _cleanup_free_ uint8_t *buf = NULL;
        size_t buf_size = SCSI_HEALTH_BUFFER_SIZE;
        ScsiHealthCache id = {};
        ScsiSense sense;
        void *p = NULL;
        bool cached = cache && cache->valid;
        int r;

        if (posix_memalign(&p, SCSI_HEALTH_BUFFER_SIZE, buf_size) != 0)
                return -ENOMEM;
        buf = p;

        for (;;) {
                s = health_snapshot_free(s);
                s = health_snapshot_new(HEALTH_PROTOCOL_SCSI, device);
                if (!s)
                        return -ENOMEM;
                s->time_usec = now_usec;

                if (cached)
                        id = *cache;
                else {
                        r = read_identity(t, buf, &id);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0) {
                                r = health_snapshot_set_error(s, r, "INQUIRY: %s", strerror(ERRNO_VALUE(r)));
                                if (r < 0)
                                        return r;
                                *ret = TAKE_PTR(s);
                                return 0;
                        }

                        /* TEST UNIT READY: a unit attention after a reset or
                         * a mode page change is consumed here (VMLAB.md:
                         * retry once). */
                        r = scsi_test_unit_ready(t, &sense);
                        if (r == -EAGAIN) {
                                note_sense(&sense, device, now_usec, sink, userdata);
                                r = scsi_test_unit_ready(t, &sense);
                        }
                        if (r < 0)
                                note_sense(&sense, device, now_usec, sink, userdata);

                        read_supported(t, device, &buf, &buf_size, &id);
                        id.valid = true;
                }
                s->model = strdup(id.model);
                s->firmware = strdup(id.firmware);
                if (!s->model || !s->firmware || (id.has_serial && !(s->serial = strdup(id.serial))))
                        return -ENOMEM;

                r = read_state(t, device, &id, cached, &buf, &buf_size, now_usec, sink, userdata, s);
                if (r == -EAGAIN && cached) {
                        /* The device changed under us: read it all again. */
                        cached = false;
                        continue;
                }
                if (r < 0)
                        return r;
                break;
        }

        r = health_assess(s);
        if (r < 0)
                return r;
        health_snapshot_emit(s, device, now_usec, sink, userdata);
        if (cache)
                *cache = id;
        *ret = TAKE_PTR(s);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include <scsi/sg_lib.h>

#include "log.h"
#include "scsi-pages.h"

static uint64_t be_n(const uint8_t *p, size_t n) {
        uint64_t v = 0;

        /* Counters longer than 8 bytes saturate rather than wrap. */
        for (size_t i = 0; i < n; i++) {
                if (v >> 56)
                        return UINT64_MAX - 1;
                v = (v << 8) | p[i];
        }
        return v;
}

int scsi_log_page_header(const uint8_t *buf, size_t len, uint8_t *ret_page, uint8_t *ret_subpage, size_t *ret_len) {
        size_t plen = 0;

        if (!buf || len < 4)
                return log_debug_errno(EBADMSG, "Log page too short: %zu bytes, need 4", len);
        plen = ((size_t) buf[2] << 8 | buf[3]) + 4;
        if (plen > len)
                /* Truncated by the allocation length: use what arrived. */
                plen = len;
        *ret_page = buf[0] & 0x3f;
        *ret_subpage = (buf[0] & 0x40) ? buf[1] : 0;
        *ret_len = plen;
        return 0;
}

/* Walk the log parameters of a page (SPC-5 7.3.2.2): 2 bytes code, control,
 * length, value.  A parameter that runs past the end is malformed. */
typedef int (*param_cb)(uint16_t code, const uint8_t *value, size_t len, HealthSnapshot *s, void *userdata);

static int for_each_param(const uint8_t *buf, size_t len, param_cb cb, HealthSnapshot *s, void *userdata) {
        uint8_t page = 0, subpage = 0;
        size_t plen = 0, off;
        int r;

        r = scsi_log_page_header(buf, len, &page, &subpage, &plen);
        if (r < 0)
                return r;
        for (off = 4; off < plen;) {
                uint16_t code;
                size_t l;

                if (off + 4 > plen)
                        return log_debug_errno(EBADMSG, "Log page 0x%02x: parameter header at offset %zu truncated",
                                               page, off);
                code = (uint16_t) (buf[off] << 8 | buf[off + 1]);
                l = buf[off + 3];
                if (off + 4 + l > plen)
                        return log_debug_errno(EBADMSG,
                                               "Log page 0x%02x: parameter 0x%04x at offset %zu runs past the end (%zu > %zu)",
                                               page, code, off, off + 4 + l, plen);
                r = cb(code, buf + off + 4, l, s, userdata);
                if (r < 0)
                        return r;
                off += 4 + l;
        }
        return 0;
}

int scsi_log_parse_supported(const uint8_t *buf, size_t len, uint8_t *pages, size_t max) {
        uint8_t page = 0, subpage = 0;
        size_t plen = 0, n = 0;
        int r;

        r = scsi_log_page_header(buf, len, &page, &subpage, &plen);
        if (r < 0)
                return r;
        if (page != 0x00)
                return log_debug_errno(EBADMSG, "Expected log page 0x00, got 0x%02x", page);
        if (subpage == 0xff) {
                /* Supported pages and subpages: pairs. */
                for (size_t off = 4; off + 1 < plen && n < max; off += 2)
                        if (buf[off + 1] == 0)
                                pages[n++] = buf[off] & 0x3f;
        } else
                for (size_t off = 4; off < plen && n < max; off++)
                        pages[n++] = buf[off] & 0x3f;
        return (int) n;
}

static int error_counter_cb(uint16_t code, const uint8_t *v, size_t l, HealthSnapshot *s, void *userdata) {
        ScsiErrorCounters *c = userdata;
        uint64_t x = be_n(v, l);

        c->present = true;
        switch (code) {
        case 0x0000:
                c->corrected_fast = x;
                break;
        case 0x0001:
                c->corrected_delayed = x;
                break;
        case 0x0002:
                c->corrected_rereads = x;
                break;
        case 0x0003:
                c->total_corrected = x;
                break;
        case 0x0004:
                c->algorithm_invocations = x;
                break;
        case 0x0005:
                c->bytes_processed = x;
                break;
        case 0x0006:
                c->total_uncorrected = x;
                break;
        default:
                break; /* vendor specific */
        }
        return 0;
}

static int non_medium_cb(uint16_t code, const uint8_t *v, size_t l, HealthSnapshot *s, void *userdata) {
        if (code == 0x0000)
                s->non_medium_errors = be_n(v, l);
        return 0;
}

static int temperature_cb(uint16_t code, const uint8_t *v, size_t l, HealthSnapshot *s, void *userdata) {
        /* SPC-5 7.3.21: byte 1 of the value is degrees Celsius, 0xff unknown. */
        if (l < 2 || v[1] == 0xff)
                return 0;
        if (code == 0x0000)
                s->temperature_mkelvin = celsius_to_mkelvin(v[1]);
        else if (code == 0x0001)
                s->trip_temperature_mkelvin = celsius_to_mkelvin(v[1]);
        return 0;
}

static int ie_cb(uint16_t code, const uint8_t *v, size_t l, HealthSnapshot *s, void *userdata) {
        /* SPC-5 7.3.8: parameter 0: ASC, ASCQ, most recent temperature
         * reading (Celsius, 0xff: unknown), then vendor bytes. */
        if (code != 0x0000 || l < 2)
                return 0;
        s->ie_present = true;
        s->ie_asc = v[0];
        s->ie_ascq = v[1];
        if (l >= 3 && v[2] != 0xff && s->temperature_mkelvin == HEALTH_VALUE_NONE)
                s->temperature_mkelvin = celsius_to_mkelvin(v[2]);
        return 0;
}

static int start_stop_cb(uint16_t code, const uint8_t *v, size_t l, HealthSnapshot *s, void *userdata) {
        /* SPC-5 7.3.23 (SBC-4 for load/unload): 4-byte counters. */
        if (code == 0x0004 && l >= 4)
                s->start_stop_cycles = be_n(v, 4);
        else if (code == 0x0006 && l >= 4)
                s->load_unload_cycles = be_n(v, 4);
        return 0;
}

typedef struct SelfTestState {
        bool done;        /* met a newer successful test */
        uint64_t failures;
        bool any;
} SelfTestState;

static int self_test_cb(uint16_t code, const uint8_t *v, size_t l, HealthSnapshot *s, void *userdata) {
        SelfTestState *st = userdata;
        uint8_t result;
        bool empty = true;

        /* SPC-5 7.3.19: parameters 1..20, most recent first, 0x10 bytes. */
        if (code < 1 || code > 20 || l < 4)
                return 0;
        for (size_t i = 0; i < l; i++)
                if (v[i] != 0) {
                        empty = false;
                        break;
                }
        if (empty)
                return 0;
        st->any = true;
        result = v[0] & 0x0f;
        if (st->done)
                return 0;
        if (result == 0x0)
                st->done = true; /* a newer passing test outdates older failures */
        else if (result >= 0x3 && result <= 0x7)
                st->failures++;
        return 0;
}

static int background_scan_cb(uint16_t code, const uint8_t *v, size_t l, HealthSnapshot *s, void *userdata) {
        /* SBC-4 6.4.2: parameter 0 is the status (accumulated power on
         * minutes, status, counts); 0x0001..0x0800 are medium scan
         * parameters, one per defect found. */
        if (code == 0x0000) {
                if (l >= 4)
                        s->power_on_hours = be_n(v, 4) / 60;
                if (l >= 6)
                        s->background_scan_status = v[5];
        } else if (code <= 0x0800) {
                if (s->medium_scan_errors == HEALTH_VALUE_NONE)
                        s->medium_scan_errors = 0;
                s->medium_scan_errors++;
        }
        return 0;
}

int scsi_log_parse_page(const uint8_t *buf, size_t len, HealthSnapshot *s) {
        uint8_t page = 0, subpage = 0;
        size_t plen = 0;
        int r;

        r = scsi_log_page_header(buf, len, &page, &subpage, &plen);
        if (r < 0)
                return r;
        if (subpage != 0 && subpage != 0xff)
                return -EOPNOTSUPP;

        switch (page) {
        case 0x02:
        case 0x03:
        case 0x05: {
                ScsiErrorCounters c = {
                        .corrected_fast = HEALTH_VALUE_NONE,
                        .corrected_delayed = HEALTH_VALUE_NONE,
                        .corrected_rereads = HEALTH_VALUE_NONE,
                        .total_corrected = HEALTH_VALUE_NONE,
                        .algorithm_invocations = HEALTH_VALUE_NONE,
                        .bytes_processed = HEALTH_VALUE_NONE,
                        .total_uncorrected = HEALTH_VALUE_NONE,
                };

                r = for_each_param(buf, plen, error_counter_cb, s, &c);
                if (r < 0)
                        return r;
                c.present = true;
                *(page == 0x02 ? &s->write_errors : page == 0x03 ? &s->read_errors : &s->verify_errors) = c;
                return 0;
        }
        case 0x06:
                return for_each_param(buf, plen, non_medium_cb, s, NULL);
        case 0x0d:
                return for_each_param(buf, plen, temperature_cb, s, NULL);
        case 0x0e:
                return for_each_param(buf, plen, start_stop_cb, s, NULL);
        case 0x10: {
                SelfTestState st = {};

                r = for_each_param(buf, plen, self_test_cb, s, &st);
                if (r < 0)
                        return r;
                s->self_test_failures = st.failures;
                return 0;
        }
        case 0x15:
                r = for_each_param(buf, plen, background_scan_cb, s, NULL);
                if (r >= 0 && s->medium_scan_errors == HEALTH_VALUE_NONE)
                        s->medium_scan_errors = 0;
                return r;
        case 0x2f:
                return for_each_param(buf, plen, ie_cb, s, NULL);
        default:
                return -EOPNOTSUPP;
        }
}

int scsi_mode_parse_iec(const uint8_t *buf, size_t len, HealthSnapshot *s) {
        size_t total, off;

        /* MODE SENSE(10) header: mode data length (2), medium type,
         * device-specific, LONGLBA, reserved, block descriptor length (2). */
        if (!buf || len < 8)
                return log_debug_errno(EBADMSG, "Mode parameter header too short: %zu bytes", len);
        total = MIN(((size_t) buf[0] << 8 | buf[1]) + 2, len);
        off = 8 + ((size_t) buf[6] << 8 | buf[7]);
        while (off + 2 <= total) {
                uint8_t code = buf[off] & 0x3f;
                bool spf = buf[off] & 0x40;
                size_t plen = spf ? (off + 4 <= total ? ((size_t) buf[off + 2] << 8 | buf[off + 3]) + 4 : SIZE_MAX)
                                  : (size_t) buf[off + 1] + 2;

                if (plen == SIZE_MAX || off + plen > total)
                        return log_debug_errno(EBADMSG, "Mode page 0x%02x at offset %zu runs past the end (%zu)", code,
                                               off, total);
                if (code == 0x1c && !spf) {
                        if (plen < 4)
                                return log_debug_errno(EBADMSG, "Mode page 0x1c at offset %zu too short", off);
                        /* SPC-5 7.5.12: DEXCPT (byte 2 bit 3) disables
                         * informational exceptions; MRIE is how they are
                         * reported. */
                        s->ie_enabled_known = true;
                        s->ie_enabled = !(buf[off + 2] & 0x08);
                        s->ie_mrie = buf[off + 3] & 0x0f;
                        return 0;
                }
                off += plen;
        }
        return -ENODATA;
}

static void copy_trimmed(char *dst, size_t size, const uint8_t *src, size_t n) {
        size_t l = MIN(n, size - 1);

        for (size_t i = 0; i < l; i++)
                dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char) src[i] : '?';
        while (l > 0 && dst[l - 1] == ' ')
                l--;
        dst[l] = '\0';
}

int scsi_parse_inquiry(const uint8_t *buf, size_t len, ScsiInquiry *ret) {
        ScsiInquiry q = {};

        if (!buf || len < 36)
                return log_debug_errno(EBADMSG, "INQUIRY response too short: %zu bytes, need 36", len);
        q.peripheral_type = buf[0] & 0x1f;
        copy_trimmed(q.vendor, sizeof(q.vendor), buf + 8, 8);
        copy_trimmed(q.product, sizeof(q.product), buf + 16, 16);
        copy_trimmed(q.revision, sizeof(q.revision), buf + 32, 4);
        *ret = q;
        return 0;
}

int scsi_parse_vpd_serial(const uint8_t *buf, size_t len, char **ret) {
        size_t l, start = 4;
        char *s;

        if (!buf || len < 4 || buf[1] != 0x80)
                return log_debug_errno(EBADMSG, "Not a VPD page 0x80 (%zu bytes)", len);
        l = MIN(((size_t) buf[2] << 8 | buf[3]) + 4, len);
        while (start < l && buf[start] == ' ')
                start++;
        s = malloc(l - start + 1);
        if (!s)
                return -ENOMEM;
        copy_trimmed(s, l - start + 1, buf + start, l - start);
        *ret = s;
        return 0;
}

int scsi_parse_vpd_wwn(const uint8_t *buf, size_t len, char **ret) {
        static const struct {
                int type;
                const char *prefix;
        } prefs[] = {
                { 3, "0x" },   /* NAA */
                { 2, "eui." }, /* EUI-64 */
        };
        size_t l;

        if (!buf || len < 4 || buf[1] != 0x83)
                return log_debug_errno(EBADMSG, "Not a VPD page 0x83 (%zu bytes)", len);
        l = MIN(((size_t) buf[2] << 8 | buf[3]) + 4, len);

        for (size_t p = 0; p < ELEMENTSOF(prefs); p++) {
                int off = -1;

                /* association 0: the addressed logical unit; code set 1: binary. */
                while (sg_vpd_dev_id_iter(buf + 4, (int) (l - 4), &off, 0, prefs[p].type, 1) == 0) {
                        const uint8_t *d = buf + 4 + off;
                        size_t dl = d[3];
                        char *s, *q;

                        if ((size_t) off + 4 + dl > l - 4 || dl == 0 || dl > 16)
                                return log_debug_errno(EBADMSG, "VPD 0x83 designator at offset %d malformed", off + 4);
                        s = malloc(strlen(prefs[p].prefix) + dl * 2 + 1);
                        if (!s)
                                return -ENOMEM;
                        q = stpcpy(s, prefs[p].prefix);
                        for (size_t i = 0; i < dl; i++)
                                q += sprintf(q, "%02x", d[4 + i]);
                        *ret = s;
                        return 0;
                }
        }
        return -ENODATA;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storguardctl replay - run the ATA health policy over SMART history in
 * Backblaze's daily CSV layout and say, per drive, the first day it would
 * have warned and why; then how that compares with what really failed.
 *
 * Drives are split deterministically by the CRC-32 of their serial: the
 * "held-out" third (crc % 3 == 0) was never looked at while choosing the
 * policy's defaults; --split picks which part to report.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-util.h"
#include "ata-policy.h"
#include "backblaze-csv.h"
#include "ctl-replay.h"
#include "diagnosis-config.h"
#include "log.h"
#include "string-util.h"

typedef enum Split {
        SPLIT_ALL,
        SPLIT_HELD_OUT,
        SPLIT_TUNING,
} Split;

static uint32_t crc32_of(const char *s) {
        uint32_t c = 0xffffffffU;

        for (; *s; s++) {
                c ^= (uint8_t) *s;
                for (int k = 0; k < 8; k++)
                        c = (c >> 1) ^ (0xedb88320U & (0U - (c & 1U)));
        }
        return ~c;
}

static int cmp_rows(const void *a, const void *b) {
        const BbRow *x = a, *y = b;
        int r = strcmp(x->serial, y->serial);
        return r != 0 ? r : (x->day > y->day) - (x->day < y->day);
}

static int cmp_int(const void *a, const void *b) {
        int x = *(const int *) a, y = *(const int *) b;
        return (x > y) - (x < y);
}

static double median(int *v, size_t n) {
        if (n == 0)
                return 0;
        qsort(v, n, sizeof(int), cmp_int);
        /* NOLINTNEXTLINE(bugprone-integer-division): n / 2 are array indices, not the value */
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

typedef struct Figures {
        size_t drives, failed, healthy, failed_warned, healthy_warned;
        int *leads;
        size_t n_leads;
} Figures;

static void print_figures(const char *name, Figures *f) {
        printf("%-34s failed drives warned before failure: %zu/%zu (%.1f%%), median lead %.0f days; "
               "healthy drives warned: %zu/%zu (%.2f%%)\n",
               name, f->failed_warned, f->failed, f->failed ? 100.0 * (double) f->failed_warned / (double) f->failed : 0,
               median(f->leads, f->n_leads), f->healthy_warned, f->healthy,
               f->healthy ? 100.0 * (double) f->healthy_warned / (double) f->healthy : 0);
}

static void csv_field(const char *s) {
        /* Reasons contain no commas; models and serials come from the input. */
        if (strpbrk(s, ",\"\n")) {
                putchar('"');
                for (; *s; s++) {
                        if (*s == '"')
                                putchar('"');
                        putchar(*s);
                }
                putchar('"');
        } else
                fputs(s, stdout);
}

int verb_replay(int argc, char *argv[]) {
        enum { ARG_CSV = 0x100, ARG_SPLIT, ARG_SUMMARY, ARG_REALLOCATED_MIN, ARG_GROWTH_MIN, ARG_WINDOW, ARG_CONFIG };
        static const struct option options[] = {
                { "csv", no_argument, NULL, ARG_CSV },
                { "split", required_argument, NULL, ARG_SPLIT },
                { "summary-only", no_argument, NULL, ARG_SUMMARY },
                { "reallocated-min", required_argument, NULL, ARG_REALLOCATED_MIN },
                { "reallocated-growth-min", required_argument, NULL, ARG_GROWTH_MIN },
                { "growth-window-days", required_argument, NULL, ARG_WINDOW },
                { "config", required_argument, NULL, ARG_CONFIG },
                {}
        };
        AtaPolicyParams params;
        bool csv = false, summary_only = false;
        Split split = SPLIT_ALL;
        _cleanup_free_ BbRow *rows = NULL;
        size_t n_rows = 0, n_allocated = 0;
        unsigned bad = 0;
        Figures pol = {}, bb = {};
        int c, r = 0;

        ata_policy_params_default(&params);
        optind = 0;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case ARG_CSV:
                        csv = true;
                        break;
                case ARG_SUMMARY:
                        summary_only = true;
                        break;
                case ARG_SPLIT:
                        if (streq(optarg, "all"))
                                split = SPLIT_ALL;
                        else if (streq(optarg, "held-out"))
                                split = SPLIT_HELD_OUT;
                        else if (streq(optarg, "tuning"))
                                split = SPLIT_TUNING;
                        else {
                                log_error("--split= takes all, held-out or tuning, not '%s'.", optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_REALLOCATED_MIN:
                        params.reallocated_min = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case ARG_GROWTH_MIN:
                        params.reallocated_growth_min = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case ARG_CONFIG: {
                        /* [AtaPolicy] of a storguard.conf: the thresholds the daemon would use. */
                        DiagnosisConfig dc;
                        r = diagnosis_config_load(&dc, optarg, false);
                        if (r < 0)
                                return r;
                        params = dc.ata;
                        break;
                }
                case ARG_WINDOW:
                        params.growth_window_usec = strtoull(optarg, NULL, 10) * USEC_PER_DAY;
                        break;
                default:
                        return -EINVAL;
                }
        if (optind >= argc) {
                log_error("replay needs one or more CSV files ('-' for standard input).");
                return -EINVAL;
        }

        for (int i = optind; i < argc; i++) {
                _cleanup_(bb_csv_freep) BbCsv *in = NULL;
                bool is_stdin = streq(argv[i], "-");
                FILE *f = is_stdin ? stdin : fopen(argv[i], "re");
                BbRow row;

                if (!f)
                        return log_error_errno(errno, "Failed to open '%s': %m", argv[i]);
                r = bb_csv_open(f, is_stdin ? "<stdin>" : argv[i], &in);
                if (r >= 0) {
                        while ((r = bb_csv_next(in, &row)) > 0) {
                                if (GREEDY_REALLOC(rows, n_allocated, n_rows + 1) < 0) {
                                        r = log_oom();
                                        break;
                                }
                                rows[n_rows++] = row;
                        }
                        bad += bb_csv_bad_rows(in);
                }
                if (!is_stdin)
                        fclose(f);
                if (r < 0)
                        return r == -EBADMSG ? r : log_error_errno(r, "Failed to read '%s': %m", argv[i]);
        }

        if (n_rows > 1) /* qsort() of NULL (no row) is undefined even for 0 elements */
                qsort(rows, n_rows, sizeof(BbRow), cmp_rows);
        pol.leads = new(int, n_rows + 1);
        bb.leads = new(int, n_rows + 1);
        if (!pol.leads || !bb.leads) {
                free(pol.leads);
                free(bb.leads);
                return log_oom();
        }
        if (csv && !summary_only)
                puts("serial_number,model,first_warning_date,reason");

        for (size_t i = 0; i < n_rows;) {
                size_t j = i;
                bool held_out, failed = false;
                int32_t fail_day = 0, warn_day = -1, bb_day = -1;
                char reason[ATA_POLICY_REASON_MAX] = "", bb_reason[ATA_POLICY_REASON_MAX];
                AtaPolicyState st = {};

                while (j < n_rows && streq(rows[j].serial, rows[i].serial))
                        j++;
                held_out = crc32_of(rows[i].serial) % 3 == 0;
                if ((split == SPLIT_HELD_OUT && !held_out) || (split == SPLIT_TUNING && held_out)) {
                        i = j;
                        continue;
                }
                for (size_t k = i; k < j; k++) {
                        char why[ATA_POLICY_REASON_MAX];
                        if (rows[k].failure && !failed) {
                                failed = true;
                                fail_day = rows[k].day;
                        }
                        if (ata_policy_evaluate(&params, &st, &rows[k].sample, why, sizeof(why)) && warn_day < 0) {
                                warn_day = rows[k].day;
                                memcpy(reason, why, sizeof(reason));
                        }
                        if (bb_day < 0 && ata_policy_backblaze_rule(&rows[k].sample, bb_reason, sizeof(bb_reason)))
                                bb_day = rows[k].day;
                }

                pol.drives++;
                bb.drives++;
                if (failed) {
                        pol.failed++;
                        bb.failed++;
                        if (warn_day >= 0 && warn_day <= fail_day) {
                                pol.failed_warned++;
                                pol.leads[pol.n_leads++] = fail_day - warn_day;
                        }
                        if (bb_day >= 0 && bb_day <= fail_day) {
                                bb.failed_warned++;
                                bb.leads[bb.n_leads++] = fail_day - bb_day;
                        }
                } else {
                        pol.healthy++;
                        bb.healthy++;
                        pol.healthy_warned += warn_day >= 0;
                        bb.healthy_warned += bb_day >= 0;
                }

                if (warn_day >= 0 && !summary_only) {
                        char date[11];
                        bb_format_date(date, warn_day);
                        if (csv) {
                                csv_field(rows[i].serial);
                                putchar(',');
                                csv_field(rows[i].model);
                                printf(",%s,", date);
                                csv_field(reason);
                                putchar('\n');
                        } else
                                printf("%-20s %-28s %s %s%s\n", rows[i].serial, rows[i].model, date, reason,
                                       failed ? " [failed later]" : "");
                }
                i = j;
        }

        if (!csv || summary_only) {
                printf("\n%zu drives (%zu failed), %zu rows, %u bad rows skipped; split: %s\n", pol.drives, pol.failed,
                       n_rows, bad,
                       split == SPLIT_HELD_OUT ? "held-out third (crc32(serial) mod 3 == 0), not used for tuning"
                       : split == SPLIT_TUNING ? "tuning two thirds"
                                               : "all drives");
                print_figures("storguard policy:", &pol);
                print_figures("Backblaze rule (5/187/197/198 > 0):", &bb);
        }
        free(pol.leads);
        free(bb.leads);
        if (fflush(stdout) != 0)
                return log_error_errno(errno, "Failed to write output: %m");
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* storguard.conf parsing: good and bad snippets written into a scratch
 * directory; every bad one must be named by file and line. */

#include <sys/stat.h>

#include "test-helpers.h"

#include "alloc-util.h"
#include "conf-parser.h"
#include "configuration.h"
#include "string-util.h"

typedef struct Fixture {
        char *dir;
        LogCapture log;
        Config config;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));

        f->dir = scratch_dir();
        log_capture_start(&f->log);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        log_capture_free(&f->log);
        config_done(&f->config);
        rm_rf(f->dir);
        free(f->dir);
        free(f);
        return 0;
}

static void test_defaults_when_missing(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *p = NULL;

        assert_true(asprintf(&p, "%s/absent.conf", f->dir) > 0);
        assert_int_equal(config_load(&f->config, p, true), 0);
        assert_int_equal(f->config.log_level, CONFIG_LOG_LEVEL_DEFAULT);
        assert_int_equal(f->config.rescan_interval_usec, CONFIG_RESCAN_INTERVAL_DEFAULT_USEC);
        assert_null(f->config.ignore_devices);
        config_done(&f->config);

        /* Under systemd the unit's StateDirectory= (in $STATE_DIRECTORY,
         * colon-separated when several) is the default. */
        assert_int_equal(setenv("STATE_DIRECTORY", "/var/lib/storguard:/var/lib/other", 1), 0);
        assert_int_equal(config_load(&f->config, p, true), 0);
        assert_string_equal(f->config.state_directory, "/var/lib/storguard");
        config_done(&f->config);
        assert_int_equal(unsetenv("STATE_DIRECTORY"), 0);

        /* Named explicitly, a missing file is an error that names it. */
        assert_int_equal(config_load(&f->config, p, false), -ENOENT);
        assert_non_null(strstr(log_capture_end(&f->log), "absent.conf"));
}

static void test_good(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *p = write_file(f->dir, "storguard.conf",
                                           "# comment\n"
                                           "; another comment\n"
                                           "[Daemon]\n"
                                           "LogLevel = debug\n"
                                           "StateDirectory=/srv/storguard\n"
                                           "\n"
                                           "[Inventory]\n"
                                           "RescanIntervalSec=90s\n"
                                           "IgnoreDevices=sr* vd?\n"
                                           "[Store]\n"
                                           "Synchronous=normal\n"
                                           "[Diagnosis]\n"
                                           "MediaErrors=7\n");

        assert_int_equal(config_load(&f->config, p, false), 0);
        assert_int_equal(f->config.log_level, LOG_DEBUG);
        assert_string_equal(f->config.state_directory, "/srv/storguard");
        assert_int_equal(f->config.rescan_interval_usec, 90 * USEC_PER_SEC);
        assert_int_equal(strv_length(f->config.ignore_devices), 2);
        assert_string_equal(f->config.ignore_devices[1], "vd?");
        assert_int_equal(f->config.store_sync, STORE_SYNC_NORMAL);
        /* A module's own table (diagnosis) is read from the same file. */
        assert_int_equal(f->config.diagnosis.diag.media.n, 7);
        assert_null(strstr(log_capture_end(&f->log), "storguard.conf:"));
}

/* Unknown keys and sections warn, with file:line, and parsing goes on. */
static void test_unknown_warns(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *p = write_file(f->dir, "storguard.conf",
                                           "[Daemon]\n"
                                           "LogLevl=debug\n"
                                           "[Nonsense]\n"
                                           "Foo=bar\n"
                                           "[Inventory]\n"
                                           "RescanIntervalSec=1min\n");
        _cleanup_free_ char *want1 = NULL, *want2 = NULL;
        const char *out;

        assert_int_equal(config_load(&f->config, p, false), 0);
        assert_int_equal(f->config.rescan_interval_usec, USEC_PER_MINUTE);
        out = log_capture_end(&f->log);
        assert_true(asprintf(&want1, "%s:2: unknown key 'LogLevl' in section [Daemon]", p) > 0);
        assert_true(asprintf(&want2, "%s:4: unknown section [Nonsense]", p) > 0);
        assert_non_null(strstr(out, want1));
        assert_non_null(strstr(out, want2));
}

/* Each invalid value fails the load and is named with its line; all of
 * them are reported in one go. */
static void test_invalid_values(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *p = write_file(f->dir, "bad.conf",
                                           "[Daemon]\n"
                                           "LogLevel=loud\n"
                                           "StateDirectory=relative/path\n"
                                           "[Inventory]\n"
                                           "\n"
                                           "RescanIntervalSec=soon\n");
        _cleanup_free_ char *w2 = NULL, *w3 = NULL, *w6 = NULL;
        const char *out;

        assert_int_equal(config_load(&f->config, p, false), -EINVAL);
        out = log_capture_end(&f->log);
        assert_true(asprintf(&w2, "%s:2: invalid value for LogLevel= in [Daemon]: 'loud'", p) > 0);
        assert_true(asprintf(&w3, "%s:3: invalid value for StateDirectory= in [Daemon]: 'relative/path': expected an absolute path", p) > 0);
        assert_true(asprintf(&w6, "%s:6: invalid value for RescanIntervalSec= in [Inventory]: 'soon'", p) > 0);
        assert_non_null(strstr(out, w2));
        assert_non_null(strstr(out, w3));
        assert_non_null(strstr(out, w6));
}

static void test_syntax_error(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *p = write_file(f->dir, "syntax.conf",
                                           "[Daemon]\n"
                                           "LogLevel=info\n"
                                           "this line has no equals sign\n");
        _cleanup_free_ char *want = NULL;

        assert_int_equal(config_load(&f->config, p, false), -EINVAL);
        assert_true(asprintf(&want, "%s:3: syntax error", p) > 0);
        assert_non_null(strstr(log_capture_end(&f->log), want));
}

static void test_long_line(void **state) {
        Fixture *f = *state;
        char *content = NULL, *pad = malloc(5001);
        _cleanup_free_ char *p = NULL, *want = NULL;

        memset(pad, 'x', 5000);
        pad[5000] = '\0';
        assert_true(asprintf(&content, "[Daemon]\nStateDirectory=/%s\nLogLevel=info\n", pad) > 0);
        p = write_file(f->dir, "long.conf", content);
        assert_int_equal(config_load(&f->config, p, false), -EINVAL);
        assert_true(asprintf(&want, "%s:2: line longer than", p) > 0);
        assert_non_null(strstr(log_capture_end(&f->log), want));
        free(content);
        free(pad);
}

/* Drop-ins override the main file in lexical order; non-.conf files and
 * hidden files are not read; an error in a drop-in names the drop-in. */
static void test_dropins(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *p = write_file(f->dir, "storguard.conf", "[Daemon]\nLogLevel=info\n");
        _cleanup_free_ char *d = NULL, *a = NULL, *b = NULL, *c = NULL, *h = NULL, *want = NULL;

        assert_true(asprintf(&d, "%s.d", p) > 0);
        assert_int_equal(mkdir(d, 0755), 0);
        a = write_file(d, "10-debug.conf", "[Daemon]\nLogLevel=debug\n");
        b = write_file(d, "20-notice.conf", "[Daemon]\nLogLevel=notice\n");
        c = write_file(d, "30-ignored.conf.bak", "[Daemon]\nLogLevel=err\n");
        h = write_file(d, ".99-hidden.conf", "[Daemon]\nLogLevel=err\n");
        assert_int_equal(config_load(&f->config, p, false), 0);
        assert_int_equal(f->config.log_level, LOG_NOTICE);
        config_done(&f->config);

        free(c);
        c = write_file(d, "40-bad.conf", "[Inventory]\nRescanIntervalSec=never\n");
        assert_int_equal(config_load(&f->config, p, false), -EINVAL);
        assert_true(asprintf(&want, "%s:2: invalid value for RescanIntervalSec=", c) > 0);
        assert_non_null(strstr(log_capture_end(&f->log), want));
}

/* Sections with a variable suffix: "[Endpoint.NAME]" items are parsed into
 * the struct the lookup function returns for NAME; the parser sees NAME;
 * bad names and bad values are named with file:line. */
typedef struct Endpoint {
        char name[CONFIG_SECTION_SUFFIX_MAX + 1];
        char *url;
        unsigned weight;
        char *seen_suffix;
} Endpoint;

typedef struct Endpoints {
        unsigned level;
        Endpoint e[4];
        size_t n;
} Endpoints;

static void *endpoint_lookup(void *userdata, const char *suffix) {
        Endpoints *l = userdata;

        for (size_t k = 0; k < l->n; k++)
                if (streq(l->e[k].name, suffix))
                        return &l->e[k];
        if (l->n >= ELEMENTSOF(l->e))
                return NULL;
        snprintf(l->e[l->n].name, sizeof(l->e[l->n].name), "%s", suffix);
        return &l->e[l->n++];
}

static int parse_remember_suffix(const ConfigContext *ctx, const char *rvalue, void *data, const char **ret_reason) {
        assert_non_null(ctx->section_suffix);
        return free_and_strdup(data, ctx->section_suffix) < 0 ? -ENOMEM : 0;
}

static const ConfigTableItem endpoint_items[] = {
        { "Endpoint", "Level", config_parse_unsigned, offsetof(Endpoints, level) },
        { "Endpoint.*", "URL", config_parse_string, offsetof(Endpoint, url), endpoint_lookup },
        { "Endpoint.*", "Weight", config_parse_unsigned, offsetof(Endpoint, weight), endpoint_lookup },
        { "Endpoint.*", "Tag", parse_remember_suffix, offsetof(Endpoint, seen_suffix), endpoint_lookup },
        {}
};

static void endpoints_done(Endpoints *l) {
        for (size_t k = 0; k < l->n; k++) {
                free(l->e[k].url);
                free(l->e[k].seen_suffix);
        }
}

static void test_section_suffix(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *p = write_file(f->dir, "suffix.conf",
                                           "[Endpoint]\n"
                                           "Level=3\n"
                                           "[Endpoint.sms]\n"
                                           "URL=https://sms.example/hook\n"
                                           "Weight=2\n"
                                           "Tag=x\n"
                                           "[Endpoint.pager-duty_1]\n"
                                           "URL=https://pd.example/\n"
                                           "[Endpoint.sms]\n"
                                           "Weight=5\n"
                                           "Colour=red\n");
        _cleanup_free_ char *want = NULL;
        Endpoints l = {};

        assert_int_equal(config_parse_file(p, endpoint_items, &l, false), 0);
        assert_int_equal(l.level, 3);
        assert_int_equal(l.n, 2);
        assert_string_equal(l.e[0].name, "sms");
        assert_string_equal(l.e[0].url, "https://sms.example/hook");
        assert_int_equal(l.e[0].weight, 5); /* the section again: same struct */
        assert_string_equal(l.e[0].seen_suffix, "sms");
        assert_string_equal(l.e[1].name, "pager-duty_1");
        assert_string_equal(l.e[1].url, "https://pd.example/");
        assert_true(asprintf(&want, "%s:11: unknown key 'Colour' in section [Endpoint.sms]", p) > 0);
        assert_non_null(strstr(log_capture_end(&f->log), want));
        endpoints_done(&l);
}

static void test_section_suffix_bad(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *p = write_file(f->dir, "suffix-bad.conf",
                                           "[Endpoint.]\n"
                                           "URL=https://a/\n"
                                           "[Endpoint.a b]\n"
                                           "URL=https://b/\n"
                                           "[Endpoint.ok]\n"
                                           "Weight=lots\n"
                                           "[Endpointx]\n"
                                           "URL=https://c/\n");
        _cleanup_free_ char *w1 = NULL, *w3 = NULL, *w6 = NULL, *w8 = NULL;
        Endpoints l = {};
        const char *out;

        assert_int_equal(config_parse_file(p, endpoint_items, &l, false), -EINVAL);
        out = log_capture_end(&f->log);
        assert_true(asprintf(&w1, "%s:2: unknown section [Endpoint.]", p) > 0);
        assert_true(asprintf(&w3, "%s:4: invalid section name [Endpoint.a b]", p) > 0);
        assert_true(asprintf(&w6, "%s:6: invalid value for Weight= in [Endpoint.ok]: 'lots'", p) > 0);
        assert_true(asprintf(&w8, "%s:8: unknown section [Endpointx]", p) > 0);
        assert_non_null(strstr(out, w1));
        assert_non_null(strstr(out, w3));
        assert_non_null(strstr(out, w6));
        assert_non_null(strstr(out, w8));
        /* Only the valid name made a struct. */
        assert_int_equal(l.n, 1);
        assert_string_equal(l.e[0].name, "ok");
        endpoints_done(&l);

        /* Concatenated behind another table, "Prefix.*" items keep their
         * offsets (into the struct their lookup returns). */
        {
                static const ConfigTableItem head[] = { { "Head", "X", config_parse_unsigned, 0 }, {} };
                _cleanup_free_ ConfigTableItem *t = NULL;

                assert_int_equal(config_table_concat(head, endpoint_items, 100, &t), 0);
                assert_int_equal(t[1].offset, offsetof(Endpoints, level) + 100);
                assert_int_equal(t[2].offset, offsetof(Endpoint, url));
                assert_ptr_equal(t[2].section_lookup, endpoint_lookup);
        }

        assert_true(config_section_suffix_valid("a"));
        assert_true(config_section_suffix_valid("sms.eu-1@dc:2"));
        assert_false(config_section_suffix_valid(""));
        assert_false(config_section_suffix_valid("a/b"));
        assert_false(config_section_suffix_valid("a]"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_defaults_when_missing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_good, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unknown_warns, setup, teardown),
                cmocka_unit_test_setup_teardown(test_invalid_values, setup, teardown),
                cmocka_unit_test_setup_teardown(test_syntax_error, setup, teardown),
                cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dropins, setup, teardown),
                cmocka_unit_test_setup_teardown(test_section_suffix, setup, teardown),
                cmocka_unit_test_setup_teardown(test_section_suffix_bad, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

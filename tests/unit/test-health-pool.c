/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The health worker pool (daemon/core/health-pool.c) with real worker
 * processes on a real sd-event loop: a worker answers many requests
 * without a fork per request; a request that hangs (the stand-in for an
 * SG_IO that never returns: the worker blocks in pause()) is killed at its
 * deadline and reported incomplete, while the other requests are answered
 * by the pool meanwhile and after.  Every wait is on the loop: the test
 * ends when the last answer arrives; a generous exit timer only turns a
 * broken pool into a failure instead of a hang.
 */

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "test-helpers.h"

#include "alloc-util.h"
#include "health-pool.h"
#include "string-util.h"

#define SAFETY_USEC (60 * USEC_PER_SEC) /* a broken pool fails the test instead of hanging it */
#define DEADLINE_USEC (1 * USEC_PER_SEC) /* far above one answer's round trip on a loaded machine */

typedef struct Answer {
        char name[16];
        bool done, complete;
        char reply[64];
        size_t partial_size;  /* an incomplete reply: what it held */
        char partial[64];
        usec_t done_usec;
} Answer;

typedef struct Ctx {
        sd_event *event;
        HealthPool *pool;
        Answer *answers;
        size_t n, next, pending;
        pid_t workers[16];  /* pids that answered, from their replies */
        size_t n_workers;
} Ctx;

/* In the worker: "hang" blocks forever, anything else answers with its
 * name and the worker's pid. */
static void work(const void *request, size_t size, int fd, void *userdata) {
        char name[16] = {}, reply[64];

        memcpy(name, request, MIN(size, sizeof(name) - 1));
        if (streq(name, "hang-flushed")) {
                /* What was flushed reaches the daemon though the read then
                 * hangs; what was only held does not. */
                (void) health_pool_reply(fd, 'E', "before", 6);
                assert_int_equal(health_pool_flush(fd), 0);
                (void) health_pool_reply(fd, 'R', "held", 4);
        }
        if (startswith(name, "hang"))
                for (;;)
                        pause();
        snprintf(reply, sizeof(reply), "%s %d", name, (int) getpid());
        (void) health_pool_reply(fd, 'R', reply, (uint32_t) strlen(reply));
}

static void submit_next(Ctx *c) {
        while (c->next < c->n && health_pool_can_submit(c->pool)) {
                Answer *a = &c->answers[c->next++];

                assert_int_equal(health_pool_submit(c->pool, a->name, strlen(a->name), a), 0);
        }
}

static void done(void *request_userdata, const char *reply, size_t size, bool complete, void *userdata) {
        Ctx *c = userdata;
        Answer *a = request_userdata;
        int pid = 0;

        assert_false(a->done);
        a->done = true;
        a->complete = complete;
        a->done_usec = now(CLOCK_MONOTONIC);
        if (!complete) {
                a->partial_size = size;
                if (size > 0) /* reply is NULL when the worker sent nothing */
                        memcpy(a->partial, reply, MIN(size, sizeof(a->partial)));
        } else {
                uint32_t len;

                assert_true(size >= 5);
                assert_int_equal(reply[0], 'R');
                memcpy(&len, reply + 1, sizeof(len));
                assert_int_equal(size, 5 + len);
                assert_true(len < sizeof(a->reply));
                memcpy(a->reply, reply + 5, len);
                assert_int_equal(sscanf(a->reply, "%*s %d", &pid), 1);
                bool known = false;
                for (size_t i = 0; i < c->n_workers; i++)
                        known = known || c->workers[i] == pid;
                if (!known && c->n_workers < ELEMENTSOF(c->workers))
                        c->workers[c->n_workers++] = pid;
        }
        submit_next(c);
        if (--c->pending == 0)
                assert_int_equal(sd_event_exit(c->event, 0), 0);
}

static int on_safety(sd_event_source *s, uint64_t usec, void *userdata) {
        fail_msg("the pool did not answer every request");
        return 0;
}

static void run(Ctx *c, unsigned workers) {
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        sigset_t mask;

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        assert_int_equal(sigprocmask(SIG_BLOCK, &mask, NULL), 0);
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(sd_event_add_time_relative(e, NULL, CLOCK_MONOTONIC, SAFETY_USEC, 0, on_safety, NULL), 0);
        c->event = e;
        c->pending = c->n;
        assert_int_equal(health_pool_new(e, workers, DEADLINE_USEC, work, done, c, &c->pool), 0);
        submit_next(c);
        assert_int_equal(sd_event_loop(e), 0);
        c->pool = health_pool_free(c->pool);
        c->event = NULL;
}

static void test_pool_reuses_workers(void **state) {
        Answer a[12] = {};
        Ctx c = { .answers = a, .n = ELEMENTSOF(a) };

        for (size_t i = 0; i < c.n; i++)
                snprintf(a[i].name, sizeof(a[i].name), "sd%c", (char) ('a' + i));
        run(&c, 2);
        for (size_t i = 0; i < c.n; i++) {
                char want[sizeof(a[i].name) + 2];

                assert_true(a[i].complete);
                snprintf(want, sizeof(want), "%.15s ", a[i].name);
                assert_true(strncmp(a[i].reply, want, strlen(want)) == 0);
        }
        /* Twelve answers from at most two processes: no fork per read. */
        assert_true(c.n_workers >= 1 && c.n_workers <= 2);
}

static void test_pool_kills_hung_worker(void **state) {
        Answer a[8] = {};
        Ctx c = { .answers = a, .n = ELEMENTSOF(a) };
        HealthPool *p;
        uint64_t spawned;

        for (size_t i = 0; i < c.n; i++)
                snprintf(a[i].name, sizeof(a[i].name), "sd%c", (char) ('a' + i));
        strcpy(a[1].name, "hang");
        run(&c, 2);
        /* The hung read ended incomplete, at its deadline, and every other
         * read was answered, those after it included. */
        assert_false(a[1].complete);
        for (size_t i = 0; i < c.n; i++)
                if (i != 1)
                        assert_true(a[i].complete);
        /* The reads queued behind it did not wait for the deadline: the
         * other worker answered them (all but the last few done before). */
        assert_true(a[2].done_usec < a[1].done_usec);

        assert_int_equal(a[1].partial_size, 0);

        /* And a hung read with one worker: it is replaced for the next.
         * What that read flushed before it hung is handed over. */
        Answer b[3] = { { .name = "sda" }, { .name = "hang-flushed" }, { .name = "sdb" } };
        Ctx d = { .answers = b, .n = ELEMENTSOF(b) };
        run(&d, 1);
        assert_true(b[0].complete);
        assert_false(b[1].complete);
        assert_int_equal(b[1].partial_size, 5 + 6);
        assert_int_equal(b[1].partial[0], 'E');
        assert_memory_equal(b[1].partial + 5, "before", 6);
        assert_true(b[2].complete);
        assert_int_equal(d.n_workers, 2); /* the second worker replaced the killed one */

        /* Free with a read in flight: the worker is killed and reaped. */
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(health_pool_new(e, 1, DEADLINE_USEC, work, done, NULL, &p), 0);
        assert_int_equal(health_pool_submit(p, "hang", 4, NULL), 0);
        assert_int_equal(health_pool_submit(p, "sdz", 3, NULL), -EBUSY);
        assert_false(health_pool_can_submit(p));
        spawned = health_pool_spawned(p);
        assert_int_equal(spawned, 1);
        health_pool_free(p);
}

static void test_pool_bad_arguments(void **state) {
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        HealthPool *p = NULL;
        char big[HEALTH_POOL_REQUEST_MAX + 1] = {};

        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(health_pool_new(e, 0, DEADLINE_USEC, work, done, NULL, &p), -EINVAL);
        assert_int_equal(health_pool_new(e, 1, 0, work, done, NULL, &p), -EINVAL);
        assert_int_equal(health_pool_new(e, 1, DEADLINE_USEC, work, done, NULL, &p), 0);
        assert_int_equal(health_pool_submit(p, big, sizeof(big), NULL), -E2BIG);
        assert_int_equal(health_pool_spawned(p), 0);
        health_pool_free(p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pool_reuses_workers),
                cmocka_unit_test(test_pool_kills_hung_worker),
                cmocka_unit_test(test_pool_bad_arguments),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"
#include "health-pool.h"
#include "log.h"

typedef struct PoolWorker PoolWorker;

struct PoolWorker {
        HealthPool *pool;
        pid_t pid;
        int fd;
        sd_event_source *io, *child, *deadline;
        bool busy;
        void *request_userdata;
        char *reply;
        size_t reply_size, reply_allocated, scanned;
        PoolWorker *next_dying; /* out of the pool, waiting to be reaped */
};

struct HealthPool {
        sd_event *event;
        unsigned max_workers;
        usec_t timeout_usec;
        HealthPoolWorkFn work;
        HealthPoolDoneFn done;
        void *userdata;
        uint64_t spawned;
        PoolWorker **workers; /* max_workers slots, NULL when empty */
        PoolWorker *dying;
};

/* In the worker: the records of the reply not yet written.  A reply goes
 * out in one write with its 'D' (one wake-up of the daemon, not one per
 * record), unless the work flushes earlier (health_pool_flush()). */
static struct {
        char *buf;
        size_t size, allocated;
} pending;

int health_pool_flush(int fd) {
        int r = 0;

        if (pending.size > 0)
                r = loop_write(fd, pending.buf, pending.size);
        pending.size = 0;
        return r;
}

int health_pool_reply(int fd, char type, const void *payload, uint32_t len) {
        if (GREEDY_REALLOC(pending.buf, pending.allocated, pending.size + 5 + len) < 0) {
                /* No memory to hold it: what is held, then this, unbuffered. */
                int r = health_pool_flush(fd);

                if (r >= 0)
                        r = loop_write(fd, &type, 1);
                if (r >= 0)
                        r = loop_write(fd, &len, sizeof(len));
                if (r >= 0 && len > 0)
                        r = loop_write(fd, payload, len);
                return r;
        }
        pending.buf[pending.size] = type;
        memcpy(pending.buf + pending.size + 1, &len, sizeof(len));
        if (len > 0)
                memcpy(pending.buf + pending.size + 5, payload, len);
        pending.size += 5 + len;
        return 0;
}

static PoolWorker *worker_free(PoolWorker *w) {
        if (!w)
                return NULL;
        w->io = sd_event_source_disable_unref(w->io);
        w->child = sd_event_source_disable_unref(w->child);
        w->deadline = sd_event_source_disable_unref(w->deadline);
        w->fd = safe_close(w->fd);
        free(w->reply);
        return mfree(w);
}

/* --- the worker process ---------------------------------------------------- */

/* One request into @buf (4 + HEALTH_POOL_REQUEST_MAX bytes): the daemon
 * writes it whole and sends the next only after the reply, so one read
 * normally holds it.  Return: the payload's length, or -1 (closed, broken). */
static ssize_t read_request(int fd, uint8_t *buf) {
        size_t have = 0;
        uint32_t len = 0;

        for (;;) {
                ssize_t k;

                if (have >= sizeof(len)) {
                        memcpy(&len, buf, sizeof(len));
                        if (len > HEALTH_POOL_REQUEST_MAX)
                                return -1;
                        if (have >= sizeof(len) + len)
                                return have == sizeof(len) + len ? (ssize_t) len : -1;
                }
                k = read(fd, buf + have, sizeof(len) + HEALTH_POOL_REQUEST_MAX - have);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return -1;
                have += (size_t) k;
        }
}

static _noreturn_ void worker_main(HealthPool *p, int fd, pid_t parent) {
        _cleanup_free_ uint8_t *buf = malloc(sizeof(uint32_t) + HEALTH_POOL_REQUEST_MAX);
        sigset_t none;

        /* Nothing outlives the daemon; the daemon's blocked signals (it
         * takes them through signalfd) are the defaults here. */
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
                _exit(EXIT_FAILURE);
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        /* Hold nothing of the daemon's: its bus, database and kmsg. */
        if (dup2(fd, 3) < 0)
                _exit(EXIT_FAILURE);
        (void) close_range(4, ~0U, 0);
        fd = 3;
        if (!buf)
                _exit(EXIT_FAILURE);
        for (;;) {
                ssize_t len = read_request(fd, buf);

                if (len < 0)
                        _exit(EXIT_SUCCESS); /* the daemon closed its end */
                p->work(buf + sizeof(uint32_t), (size_t) len, fd, p->userdata);
                if (health_pool_reply(fd, 'D', NULL, 0) < 0 || health_pool_flush(fd) < 0)
                        _exit(EXIT_FAILURE);
        }
}

/* --- the daemon's side ------------------------------------------------------ */

static int slot_of(HealthPool *p, PoolWorker *w) {
        for (unsigned i = 0; i < p->max_workers; i++)
                if (p->workers[i] == w)
                        return (int) i;
        return -ENOENT;
}

/* A worker leaves the pool: killed (it may sit in an uninterruptible
 * SG_IO until the command times out), reaped later by its child source. */
static void worker_detach(PoolWorker *w) {
        HealthPool *p = w->pool;
        int i = slot_of(p, w);

        if (i >= 0)
                p->workers[i] = NULL;
        (void) kill(w->pid, SIGKILL);
        w->io = sd_event_source_disable_unref(w->io);
        w->deadline = sd_event_source_disable_unref(w->deadline);
        w->fd = safe_close(w->fd);
        if (!w->child) { /* already reaped */
                worker_free(w);
                return;
        }
        w->next_dying = p->dying;
        p->dying = w;
}

/* End the request in flight: hand the reply to the caller. */
static void request_end(PoolWorker *w, bool complete, size_t size) {
        HealthPool *p = w->pool;
        _cleanup_free_ char *reply = TAKE_PTR(w->reply);
        void *rq = w->request_userdata;

        w->reply_size = w->reply_allocated = w->scanned = 0;
        w->busy = false;
        w->request_userdata = NULL;
        (void) sd_event_source_set_enabled(w->deadline, SD_EVENT_OFF); /* kept for the next request */
        if (!complete)
                worker_detach(w);
        /* Last: the callback may submit the next request to this worker. */
        p->done(rq, reply, size, complete, p->userdata);
}

static void worker_failed(PoolWorker *w) {
        if (w->busy)
                request_end(w, false, w->reply_size);
        else
                worker_detach(w);
}

/* The offset of the 'D' record that ends the reply, or -EAGAIN. */
static ssize_t reply_end(PoolWorker *w) {
        while (w->scanned + 5 <= w->reply_size) {
                uint32_t len;

                memcpy(&len, w->reply + w->scanned + 1, sizeof(len));
                if (w->reply[w->scanned] == 'D')
                        return (ssize_t) w->scanned;
                if (len > w->reply_size - w->scanned - 5)
                        break;
                w->scanned += 5 + len;
        }
        return -EAGAIN;
}

static int on_worker_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        PoolWorker *w = userdata;

        for (;;) {
                ssize_t k, end;

                if (GREEDY_REALLOC(w->reply, w->reply_allocated, w->reply_size + 4096) < 0) {
                        worker_failed(w);
                        return 0;
                }
                k = read(fd, w->reply + w->reply_size, w->reply_allocated - w->reply_size);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN)
                        return 0;
                if (k <= 0 || !w->busy || w->reply_size + (size_t) k > HEALTH_POOL_REPLY_MAX) {
                        /* Closed, broken, talking out of turn or too much. */
                        worker_failed(w);
                        return 0;
                }
                w->reply_size += (size_t) k;
                end = reply_end(w);
                if (end >= 0) {
                        if ((size_t) end + 5 != w->reply_size) {
                                worker_failed(w); /* something after the end */
                                return 0;
                        }
                        request_end(w, true, (size_t) end);
                        return 0;
                }
        }
}

static int on_worker_exit(sd_event_source *s, const siginfo_t *si, void *userdata) {
        PoolWorker *w = userdata;
        HealthPool *p = w->pool;

        w->child = sd_event_source_disable_unref(w->child);
        if (slot_of(p, w) >= 0) {
                worker_failed(w); /* died in the pool */
                return 0;
        }
        for (PoolWorker **q = &p->dying; *q; q = &(*q)->next_dying)
                if (*q == w) {
                        *q = w->next_dying;
                        break;
                }
        worker_free(w);
        return 0;
}

static int on_worker_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        PoolWorker *w = userdata;

        log_debug("Health worker %i did not answer in time: killing it.", (int) w->pid);
        request_end(w, false, w->reply_size);
        return 0;
}

static int worker_start(HealthPool *p, unsigned slot) {
        int sv[2], r;
        PoolWorker *w;
        pid_t parent = getpid(), pid;

        w = new0(PoolWorker, 1);
        if (!w)
                return -ENOMEM;
        w->pool = p;
        w->fd = -EBADF;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
                r = -errno;
                free(w);
                return r;
        }
        pid = fork();
        if (pid < 0) {
                r = -errno;
                safe_close(sv[0]);
                safe_close(sv[1]);
                free(w);
                return r;
        }
        if (pid == 0) {
                safe_close(sv[0]);
                worker_main(p, sv[1], parent);
        }
        safe_close(sv[1]);
        w->pid = pid;
        w->fd = sv[0];
        p->spawned++;
        if (fcntl(w->fd, F_SETFL, O_NONBLOCK) < 0)
                r = -errno;
        else if ((r = sd_event_add_child(p->event, &w->child, pid, WEXITED, on_worker_exit, w)) >= 0)
                r = sd_event_add_io(p->event, &w->io, w->fd, EPOLLIN, on_worker_io, w);
        if (r < 0) {
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                worker_free(w);
                return r;
        }
        p->workers[slot] = w;
        return 0;
}

int health_pool_submit(HealthPool *p, const void *request, size_t size, void *request_userdata) {
        PoolWorker *w = NULL;
        uint32_t len = (uint32_t) size;
        int r, empty = -1;

        if (size > HEALTH_POOL_REQUEST_MAX)
                return -E2BIG;
        for (unsigned i = 0; i < p->max_workers && !w; i++) {
                if (p->workers[i] && !p->workers[i]->busy)
                        w = p->workers[i];
                else if (!p->workers[i] && empty < 0)
                        empty = (int) i;
        }
        if (!w) {
                if (empty < 0)
                        return -EBUSY;
                r = worker_start(p, (unsigned) empty);
                if (r < 0)
                        return r;
                w = p->workers[empty];
        }
        /* The worker is idle, its socket buffer empty: a request of a few
         * hundred bytes is written at once (one write: one wake-up of the
         * worker) even though the fd is non-blocking. */
        {
                uint8_t msg[sizeof(len) + HEALTH_POOL_REQUEST_MAX];

                memcpy(msg, &len, sizeof(len));
                memcpy(msg + sizeof(len), request, size);
                r = loop_write(w->fd, msg, sizeof(len) + size);
        }
        if (r >= 0 && w->deadline) {
                r = sd_event_source_set_time_relative(w->deadline, p->timeout_usec);
                if (r >= 0)
                        r = sd_event_source_set_enabled(w->deadline, SD_EVENT_ONESHOT);
        } else if (r >= 0)
                r = sd_event_add_time_relative(p->event, &w->deadline, CLOCK_MONOTONIC, p->timeout_usec,
                                               USEC_PER_MSEC, on_worker_deadline, w);
        if (r < 0) {
                worker_detach(w);
                return r;
        }
        w->busy = true;
        w->request_userdata = request_userdata;
        return 0;
}

bool health_pool_can_submit(const HealthPool *p) {
        for (unsigned i = 0; i < p->max_workers; i++)
                if (!p->workers[i] || !p->workers[i]->busy)
                        return true;
        return false;
}

void health_pool_set_timeout(HealthPool *p, usec_t timeout_usec) {
        if (timeout_usec > 0)
                p->timeout_usec = timeout_usec;
}

uint64_t health_pool_spawned(const HealthPool *p) {
        return p->spawned;
}

int health_pool_new(sd_event *event, unsigned max_workers, usec_t timeout_usec, HealthPoolWorkFn work,
                    HealthPoolDoneFn done, void *userdata, HealthPool **ret) {
        HealthPool *p;

        if (!event || max_workers == 0 || timeout_usec == 0 || !work || !done)
                return -EINVAL;
        p = new0(HealthPool, 1);
        if (!p)
                return -ENOMEM;
        p->workers = new0(PoolWorker *, max_workers);
        if (!p->workers) {
                free(p);
                return -ENOMEM;
        }
        p->event = event;
        p->max_workers = max_workers;
        p->timeout_usec = timeout_usec;
        p->work = work;
        p->done = done;
        p->userdata = userdata;
        *ret = p;
        return 0;
}

static void worker_kill_reap(PoolWorker *w) {
        (void) kill(w->pid, SIGKILL);
        (void) waitpid(w->pid, NULL, 0);
        worker_free(w);
}

HealthPool *health_pool_free(HealthPool *p) {
        if (!p)
                return NULL;
        /* A read in flight holds its device open: end it, and reap it, so
         * that nothing outlives the daemon. */
        for (unsigned i = 0; i < p->max_workers; i++)
                if (p->workers[i])
                        worker_kill_reap(p->workers[i]);
        while (p->dying) {
                PoolWorker *w = p->dying;

                p->dying = w->next_dying;
                worker_kill_reap(w);
        }
        free(p->workers);
        return mfree(p);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A small pool of long-lived worker processes that run blocking device
 * reads (SG_IO, NVMe admin commands) off the event loop.  A worker takes
 * one request at a time and stays for the next, so a poll costs no fork;
 * a worker that does not answer by its deadline is killed (SIGKILL) and
 * left to be reaped on its own, out of the pool, so a hung device never
 * holds a slot and the other devices keep being read.
 *
 * The pipe between the daemon and a worker (a socketpair, same binary on
 * both ends):
 *
 *   request = length (uint32, host order) | payload (the caller's bytes)
 *   reply   = records, ended by a 'D' record
 *   record  = type (1 byte) | length (uint32, host order) | payload
 *
 * The record types other than 'D' are the caller's.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "macro.h"
#include "time-util.h"

#define HEALTH_POOL_REQUEST_MAX 4096        /* bytes of one request */
#define HEALTH_POOL_REPLY_MAX ((size_t) 1024 * 1024) /* bytes: a worker that says more is broken */

typedef struct HealthPool HealthPool;

/* In the worker: do the work for @request and answer with
 * health_pool_reply() on @reply_fd.  Runs in a forked child that holds
 * only @reply_fd and stdio. */
typedef void (*HealthPoolWorkFn)(const void *request, size_t size, int reply_fd, void *userdata);

/* In the daemon: the request given @request_userdata ended.  @complete is
 * false when the worker died or was killed at its deadline; @reply then
 * holds what it had sent.  May submit new requests. */
typedef void (*HealthPoolDoneFn)(void *request_userdata, const char *reply, size_t size, bool complete,
                                 void *userdata);

/* health_pool_new() - a pool of at most @max_workers workers on @event
 * (SIGCHLD must be blocked), each request killed after @timeout_usec.
 * Return: 0, -EINVAL, -ENOMEM. */
int health_pool_new(sd_event *event, unsigned max_workers, usec_t timeout_usec, HealthPoolWorkFn work,
                    HealthPoolDoneFn done, void *userdata, HealthPool **ret);

/* health_pool_free() - kill and reap every worker (no callbacks). */
HealthPool *health_pool_free(HealthPool *p);
DEFINE_POINTER_CLEANUP_FUNC(HealthPool, health_pool_free);

/* health_pool_can_submit() - whether a worker is idle or can be started. */
bool health_pool_can_submit(const HealthPool *p) _pure_;

/* health_pool_submit() - hand @request to an idle worker (starting one if
 * the pool is not full).  Return: 0; -EBUSY when every worker is busy;
 * -E2BIG; -errno from fork() or the pipe. */
int health_pool_submit(HealthPool *p, const void *request, size_t size, void *request_userdata);

/* health_pool_set_timeout() - the deadline of requests submitted from now
 * on (0 is ignored). */
void health_pool_set_timeout(HealthPool *p, usec_t timeout_usec);

/* health_pool_spawned() - how many workers were started so far. */
uint64_t health_pool_spawned(const HealthPool *p) _pure_;

/* health_pool_reply() - in the worker: one record, held until the reply
 * ends (or health_pool_flush()).  Return: 0 or -errno. */
int health_pool_reply(int fd, char type, const void *payload, uint32_t len);
/* health_pool_flush() - in the worker: write the records held so far now
 * (what must reach the daemon even if the device then hangs and the
 * worker is killed).  Return: 0 or -errno. */
int health_pool_flush(int fd);

/*
 * notify.h - the systemd notification protocol (sd_notify(3)) without
 * libsystemd: one datagram to $NOTIFY_SOCKET per state change. Without
 * $NOTIFY_SOCKET every call is a no-op. Loop thread.
 */
#ifndef TEXTMEND_DAEMON_NOTIFY_H
#define TEXTMEND_DAEMON_NOTIFY_H

#include <stdint.h>

/* Send "KEY=VALUE\n..." as one datagram. 0, -errno, or 0 when there is
   no $NOTIFY_SOCKET. */
int tm_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The watchdog interval systemd asked for, in microseconds, or 0 when
   none (WATCHDOG_USEC unset, or WATCHDOG_PID names another process). */
uint64_t tm_notify_watchdog_usec(void);

/* CLOCK_MONOTONIC in microseconds, for RELOADING=1's MONOTONIC_USEC. */
uint64_t tm_notify_monotonic_usec(void);

#endif

/*
 * sdnotify: the service manager's notification protocol, without
 * libsystemd. systemd documents it as a stable interface (sd_notify(3),
 * "NOTIFY_SOCKET"): one datagram whose payload is the state string
 * ("READY=1", "RELOADING=1", "STOPPING=1", "WATCHDOG=1", newline-separated
 * when several), sent to the AF_UNIX datagram socket that $NOTIFY_SOCKET
 * names: a path when it starts with '/', a name in Linux's abstract
 * namespace when it starts with '@'. The watchdog (sd_watchdog_enabled(3))
 * is asked for by $WATCHDOG_USEC, for this process only when $WATCHDOG_PID
 * is unset or names it.
 *
 * The functions take the variables' values, not the environment, so that
 * the caller decides when to read it; nothing here keeps state.
 */
#ifndef GOSSIP_SDNOTIFY_H
#define GOSSIP_SDNOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The longest state string sent (a datagram of that size always fits). */
#define SDNOTIFY_STATE_MAX 4096

/*
 * Sends state, as one datagram without a terminating NUL, to the socket
 * named by addr (the value of NOTIFY_SOCKET). Returns 1 once sent, 0 when
 * addr is NULL or empty (no service manager asked for notifications), or
 * -1 with the reason in err: an address that is neither a path nor '@'
 * name or does not fit sockaddr_un, an empty or too long state, or what
 * socket/sendto said. The socket is non-blocking, so a manager that does
 * not read never stalls the caller (the send fails instead). Keeps
 * nothing; opens and closes its own descriptor.
 */
int sdnotify_send(const char *addr, const char *state, char *err,
		  size_t errlen);

/*
 * Does the service manager expect watchdog pings from process self? From
 * the values of WATCHDOG_USEC and WATCHDOG_PID (either may be NULL, for
 * unset): returns 0 when it does not (WATCHDOG_USEC unset, or
 * WATCHDOG_PID set to another process), 1 with the interval in *usec, or
 * -1 with the reason in err when a value is not a number in range
 * (WATCHDOG_USEC 1 .. 2^63-1 microseconds, WATCHDOG_PID 1 .. INT_MAX).
 * *usec is set only on 1. The caller should ping at least every half
 * interval, as sd_watchdog_enabled(3) advises.
 */
int sdnotify_watchdog(const char *usec_env, const char *pid_env, pid_t self,
		      uint64_t *usec, char *err, size_t errlen);

#endif

/*
 * sockets: the daemon's listening sockets: the TCP endpoint and the local
 * admin socket (a Unix socket, mode 0600, or 0660 with AdminSocketGroup).
 */
#ifndef GOSSIPD_SOCKETS_H
#define GOSSIPD_SOCKETS_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "options.h"

/*
 * Binds and listens on cfg->node_ip:cfg->node_port (non-blocking,
 * close-on-exec; "::" accepts IPv4 too). Returns the fd, or -1 with a
 * reason naming the address.
 */
int sockets_listen_tcp(const struct gossipd_config *cfg, char *err,
		       size_t errlen);

/* Who owns the admin socket, and its mode. */
struct admin_owner {
	uid_t uid; /* (uid_t)-1: unchanged */
	gid_t gid; /* (gid_t)-1: unchanged */
	mode_t mode;
};

/*
 * The admin socket's owner: the RunAsUser/RunAsGroup the daemon will drop
 * to when started as root (so that the daemon's own user can use it and
 * remove it at stop), the group AdminSocketGroup with mode 0660 when set,
 * else mode 0600. Returns 0, or -1 with a reason naming the option.
 */
int sockets_admin_owner(const struct gossipd_config *cfg, struct admin_owner *o,
			char *err, size_t errlen);

/*
 * Opens the admin socket at path (its directory made when missing, and
 * then given to the owner too; a stale socket file replaced), owned and
 * with the mode as o says. Problems are logged as warnings and give no
 * socket: returns the fd and a copy of the path in *path_out (free it
 * with sockets_admin_close), or -1 and NULL. A NULL or empty path means
 * no admin socket.
 */
int sockets_admin_open(const char *path, const struct admin_owner *o,
		       char **path_out);

/*
 * Writes a peer address for logs: "ip:port", "[v6]:port" (an IPv4-mapped
 * IPv6 address as plain IPv4), or "admin-socket" for a Unix socket.
 */
void sockets_format_peer(const struct sockaddr *sa, char *buf, size_t len);

/* Closes the admin socket and removes its file. Accepts fd -1. */
void sockets_admin_close(int fd, char *path);

#endif
